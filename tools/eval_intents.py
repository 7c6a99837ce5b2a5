#!/usr/bin/env python3
"""Evaluates intent classification through the csgw CLI.

Pipes the texts of a labelled TSV (`intent<TAB>text`, '#' lines ignored) into
`csgw classify - [--language L]` (one message per line in, one JSON per line out) and prints
precision and recall per intent, coverage (share of messages with a specific intent that got
it) and precision over all specific answers (answers other than "other").

The split follows templates/intent_test.cc: within each intent, every third example (index % 3
== 2) is the held-back test part, the rest is dev.

    tools/eval_intents.py --csgw build/intent/gateway/csgw --language ru \
        templates/eval/intents/ru.tsv --split test
    tools/eval_intents.py --csgw build/intent/gateway/csgw --language en \
        /tmp/heldout_intents/en_bitext.tsv --errors

Exit status 1 when --min-precision or --min-coverage is given and not met.
"""

import argparse
import collections
import json
import subprocess
import sys

SPECIFIC_NONE = "other"


def load(path, split):
    examples = []
    seen = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "\t" not in line:
                continue
            intent, text = line.split("\t", 1)
            # The CLI reads one message per line: a message cannot hold a line break.
            text = text.replace("\r", " ").replace("\n", " ")
            index = seen[intent]
            seen[intent] += 1
            part = "test" if index % 3 == 2 else "dev"
            if split in ("all", part):
                examples.append((intent, text))
    return examples


def classify(csgw, language, texts):
    command = [csgw, "classify", "-"]
    if language:
        command += ["--language", language]
    result = subprocess.run(command, input="\n".join(texts) + "\n", capture_output=True,
                            text=True, encoding="utf-8", check=False)
    if result.returncode != 0:
        sys.exit("csgw classify failed (%d): %s" % (result.returncode, result.stderr.strip()))
    lines = [l for l in result.stdout.splitlines() if l.strip()]
    if len(lines) != len(texts):
        sys.exit("csgw classify returned %d lines for %d messages" % (len(lines), len(texts)))
    return [json.loads(l) for l in lines]


def report(examples, answers, show_errors):
    tp = collections.Counter()
    predicted = collections.Counter()
    actual = collections.Counter()
    answered = right = specific = covered = 0
    errors = []
    for (gold, text), answer in zip(examples, answers):
        got = answer["intent"]
        actual[gold] += 1
        predicted[got] += 1
        if got == gold:
            tp[gold] += 1
        if gold != SPECIFIC_NONE:
            specific += 1
            covered += got == gold
        if got != SPECIFIC_NONE:
            answered += 1
            right += got == gold
        if got != gold:
            errors.append("  %s -> %s (%.2f)\t%s" % (gold, got, answer.get("confidence", 0), text))
    print("| intent | n | precision | recall |")
    print("|---|---:|---:|---:|")
    for intent in sorted(set(actual) | set(predicted)):
        p = 100.0 * tp[intent] / predicted[intent] if predicted[intent] else float("nan")
        r = 100.0 * tp[intent] / actual[intent] if actual[intent] else float("nan")
        print("| %s | %d | %.1f%% | %.1f%% |" % (intent, actual[intent], p, r))
    precision = right / answered if answered else 0.0
    coverage = covered / specific if specific else 0.0
    print("\nmessages %d, specific %d, answered %d: precision %.1f%%, coverage %.1f%%" %
          (len(examples), specific, answered, 100 * precision, 100 * coverage))
    if show_errors:
        print("\nerrors:")
        print("\n".join(errors))
    return precision, coverage


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv", help="labelled messages: intent<TAB>text per line")
    parser.add_argument("--csgw", default="build/intent/gateway/csgw", help="the csgw binary")
    parser.add_argument("--language", default="",
                        help="ru, es or en; empty lets csgw detect the language")
    parser.add_argument("--split", choices=("all", "dev", "test"), default="all")
    parser.add_argument("--errors", action="store_true", help="list the misclassified messages")
    parser.add_argument("--min-precision", type=float, default=None)
    parser.add_argument("--min-coverage", type=float, default=None)
    args = parser.parse_args()

    examples = load(args.tsv, args.split)
    if not examples:
        sys.exit("no examples in " + args.tsv)
    answers = classify(args.csgw, args.language, [t for _, t in examples])
    precision, coverage = report(examples, answers, args.errors)
    failed = ((args.min_precision is not None and precision < args.min_precision) or
              (args.min_coverage is not None and coverage < args.min_coverage))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
