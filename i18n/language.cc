// Being written (issue 3): the language detector.
