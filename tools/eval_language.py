#!/usr/bin/env python3
"""Accuracy of the language detector on labelled text files.

Each input file is either TSV (`<lang>\\t<text>` a line) or plain text (one text a line, all in the
language given with --lang). Texts are piped through `csgw detect -` (or any command speaking the
same protocol: one text a line in, one JSON object a line out) and the script prints accuracy per
file ("category") and language, and how often texts in languages other than ru/es/en were taken
for ru, es or en.

  tools/eval_language.py i18n/eval/language/*.tsv
  tools/eval_language.py --lang es --category heldout-sentences /tmp/heldout/sentences/es.txt
  tools/eval_language.py --cmd 'build/lang/i18n/csgw_lang_eval --cld2-only' i18n/eval/language/*.tsv

Exit status 0 unless the command fails; thresholds are asserted by i18n/language_test.cc.
"""

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys

MAIN = ("ru", "es", "en")


def read_items(path, lang):
    items = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            if lang:
                items.append((lang, line.replace("\t", " ")))
            else:
                label, sep, text = line.partition("\t")
                if not sep:
                    sys.exit(f"{path}: not TSV: {line!r}")
                items.append((label.strip(), text))
    return items


def detect(cmd, texts):
    proc = subprocess.run(cmd, input="".join(t + "\n" for t in texts), capture_output=True,
                          text=True, encoding="utf-8", check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    out = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(out) != len(texts):
        sys.exit(f"expected {len(texts)} results, got {len(out)}")
    return out


def main():
    default_cmd = os.path.join(os.path.dirname(__file__), "..", "build", "lang", "gateway", "csgw")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--cmd", default=f"{default_cmd} detect -",
                   help="detector command reading stdin (default: %(default)s)")
    p.add_argument("--lang", help="label of every line (plain-text input)")
    p.add_argument("--category", help="category name (default: the file name)")
    p.add_argument("--marketplace")
    p.add_argument("--country")
    p.add_argument("--errors", type=int, default=0, help="print up to N misdetections per file")
    args = p.parse_args()

    cmd = shlex.split(args.cmd)
    if args.marketplace:
        cmd += ["--marketplace", args.marketplace]
    if args.country:
        cmd += ["--country", args.country]

    rows = []  # category, lang, ok
    other_total = other_to_main = 0
    for path in args.files:
        category = args.category or os.path.splitext(os.path.basename(path))[0]
        items = read_items(path, args.lang)
        results = detect(cmd, [t for _, t in items])
        shown = 0
        for (lang, text), r in zip(items, results):
            got = r.get("language")
            rows.append((category, lang, got == lang))
            if lang not in MAIN and lang != "unknown":
                other_total += 1
                other_to_main += got in MAIN
            if got != lang and shown < args.errors:
                shown += 1
                print(f"  [{category}] want {lang} got {got} ({r.get('method')}, "
                      f"{r.get('confidence')}): {text}")

    by = collections.defaultdict(lambda: [0, 0])
    for category, lang, ok in rows:
        for key in ((category, lang), (category, "ALL")):
            by[key][0] += ok
            by[key][1] += 1
    print(f"{'category':<28}{'lang':<6}{'n':>6}{'correct':>9}{'accuracy':>10}")
    for (category, lang), (ok, n) in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1] == "ALL", kv[0][1])):
        print(f"{category:<28}{lang:<6}{n:>6}{ok:>9}{100.0 * ok / n:>9.1f}%")
    if other_total:
        print(f"other languages taken for ru/es/en: {other_to_main}/{other_total} = "
              f"{100.0 * other_to_main / other_total:.1f}%")


if __name__ == "__main__":
    main()
