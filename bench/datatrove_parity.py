"""Runs datatrove's own quality filters on the parity corpus and writes one decision per document and filter.

Usage: python bench/datatrove_parity.py CORPUS.jsonl DECISIONS.tsv
CORPUS.jsonl holds {"id", "kind", "text"} per line (written by DatatroveParityMain export). Each filter runs with
its default arguments, except C4's terminal-punctuation line rule, which is off as in FineWeb. A cell is "keep",
datatrove's reason for dropping, or "error:<exception>". Extra columns: datatrove's English word count and the
number of sentences its splitter finds in the text, for diagnosing disagreements.
"""
import json
import sys

from datatrove.data import Document
from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                        GopherRepetitionFilter)
from datatrove.utils.text import split_into_words
from datatrove.utils.word_tokenizers import load_word_tokenizer

FILTERS = [
    ("gopher_repetition", GopherRepetitionFilter()),
    ("gopher_quality", GopherQualityFilter()),
    ("c4_quality", C4QualityFilter(filter_no_terminal_punct=False)),
    ("fineweb_quality", FineWebQualityFilter()),
]


def decide(f, doc_id, text):
    try:
        result = f.filter(Document(text=text, id=doc_id))
    except Exception as e:  # datatrove raises on some inputs (e.g. a division by zero)
        return "error:" + type(e).__name__
    if result is True:
        return "keep"
    if isinstance(result, tuple):
        return result[1]
    return "drop"


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    tokenizer = load_word_tokenizer("en")
    with open(corpus, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        dst.write("id\t" + "\t".join(name for name, _ in FILTERS) + "\twords\tsentences\n")
        for line in src:
            doc = json.loads(line)
            cells = [decide(f, doc["id"], doc["text"]) for _, f in FILTERS]
            words = len(split_into_words(doc["text"]))
            sentences = len(tokenizer.span_tokenize(doc["text"]))
            dst.write(doc["id"] + "\t" + "\t".join(cells) + f"\t{words}\t{sentences}\n")


if __name__ == "__main__":
    main()
