// Being written (issue 3): the rule-based intent classifier.
