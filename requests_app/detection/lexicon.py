"""Multilingual cue phrases (en, es, de, fr, pt, a little ja) turned into ``cue:*`` features.

A cue fires for the same intent in every language, so the weight the model learns from English
examples carries over to Spanish, German, French and Portuguese messages. The phrase lists live
in ``lexicon.toml``; patterns run on text that ``text.normalize`` has already lower-cased and
stripped of accents, so the lists are written without accents (``informacion``, ``nao``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Collection
from pathlib import Path

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.toml"

with LEXICON_FILE.open("rb") as _stream:
    _LEXICON = tomllib.load(_stream)

WORD_LISTS: dict[str, frozenset[str]] = {
    name: frozenset(words) for name, words in _LEXICON["words"].items()
}
# First tokens that open a question in one of the supported languages.
QUESTION_OPENERS = WORD_LISTS["question_openers"]
_GREETING_OPENERS = WORD_LISTS["greeting_openers"]
BARE_NUDGES = WORD_LISTS["bare_nudges"]

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_THANKS_AGAIN = re.compile(
    r"(?:thanks|thank you|merci|gracias|danke|obrigad[oa]|valeu) (?:again|encore|otra vez|"
    r"de nuevo|nochmal|nochmals|mais uma vez|de novo)|(?:encore|nochmals) (?:merci|danke)"
)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# French elisions ("l'erreur", "d'import", "qu'on") are split off before matching, in the
# text and in the phrases alike, so "erreur" matches inside "l'erreur".
_ELISION = re.compile(r"(?<![\w'])(qu|[cdjlmnst])'(?=\w)")


def split_elisions(text: str) -> str:
    """``l'erreur`` -> ``l' erreur``: the elided article becomes a word of its own."""
    return _ELISION.sub(r"\1' ", text) if "'" in text else text


def _compile(phrases: list[str]) -> re.Pattern[str]:
    """One alternation per cue; CJK phrases match inside words (Japanese has no spaces)."""
    latin = [split_elisions(_strip_marks(p)) for p in phrases if not _CJK.search(p)]
    cjk = [_strip_marks(p) for p in phrases if _CJK.search(p)]
    parts = []
    if latin:
        alternation = "|".join(sorted(latin, key=len, reverse=True))
        parts.append(rf"(?<![\w'])(?:{alternation})(?![\w'])")
    if cjk:
        parts.append("|".join(sorted(cjk, key=len, reverse=True)))
    return re.compile("|".join(parts))


_SIMPLE_WORD = re.compile(r"[\w']+")


_LEADING_WORD = re.compile(r"([\w']+)(?:[ :-]|\(\?!)")
_LEADING_GROUP = re.compile(r"\(\?:([\w' |?]+)\) ")


def _first_words(phrase: str) -> set[str] | None:
    """Words one of which must be in a message for ``phrase`` to match; None if unknown."""
    leading = _LEADING_WORD.match(phrase)
    if leading:
        return {_strip_marks(leading.group(1))}
    group = _LEADING_GROUP.match(phrase)
    if group is None:
        return None
    words = set()
    for alternative in group.group(1).split("|"):
        word = alternative.split(" ")[0]
        if word.endswith("?"):  # "errors?" stands for "error" and "errors"
            words.update({word[:-2], word[:-1]})
        else:
            words.add(word)
    return words


def _split_cues() -> tuple[
    dict[str, frozenset[str]], dict[str, re.Pattern[str]], dict[str, frozenset[str] | None]
]:
    """Index the cue phrases for speed, without changing what they match.

    Single-word phrases become a word -> cues table (one set lookup per token). The other
    phrases keep a regex per cue, searched only when the message contains the first word of
    one of them (``None``: some phrase has no literal first word, so always search).
    """
    word_cues: dict[str, set[str]] = {}
    patterns: dict[str, re.Pattern[str]] = {}
    triggers: dict[str, frozenset[str] | None] = {}
    for name, phrases in _LEXICON["cues"].items():
        complex_phrases = []
        first_words: set[str] | None = set()
        for raw_phrase in phrases:
            phrase = split_elisions(raw_phrase)
            if _SIMPLE_WORD.fullmatch(phrase) and not _CJK.search(phrase):
                word_cues.setdefault(_strip_marks(phrase), set()).add(name)
                continue
            complex_phrases.append(phrase)
            if _CJK.search(phrase):
                continue  # searched only in text with CJK characters
            words = _first_words(phrase)
            if words is None or first_words is None:
                first_words = None
            else:
                first_words |= words
        if complex_phrases:
            patterns[name] = _compile(complex_phrases)
            triggers[name] = None if first_words is None else frozenset(first_words)
    return (
        {word: frozenset(names) for word, names in word_cues.items()},
        patterns,
        triggers,
    )


_WORD_CUES, CUE_PATTERNS, _TRIGGERS = _split_cues()
_CUE_ORDER = list(_LEXICON["cues"])


def cue_names(normalized: str, among: Collection[str] | None = None) -> list[str]:
    """Names of the cues present in already-normalised text, in lexicon order.

    A single-word phrase matches exactly when it equals a whole run of word characters and
    apostrophes, which is what the regex boundaries of the other phrases mean too. With
    ``among``, only those cues are looked for (cheaper when the candidates are known).
    """
    normalized = _THANKS_AGAIN.sub("thanks", normalized)
    normalized = split_elisions(normalized)
    words = set(_SIMPLE_WORD.findall(normalized))
    found: set[str] = set()
    for word in words:
        names = _WORD_CUES.get(word)
        if names:
            found |= names
    has_cjk = _CJK.search(normalized) is not None
    for name, pattern in CUE_PATTERNS.items():
        if name in found or (among is not None and name not in among):
            continue
        first_words = _TRIGGERS[name]
        if first_words is not None and first_words.isdisjoint(words) and not has_cjk:
            continue
        if pattern.search(normalized):
            found.add(name)
    if among is not None:
        found &= set(among)
    return [name for name in _CUE_ORDER if name in found]


def lexicon_list(name: str) -> list[str]:
    """An ordered word list from ``lexicon.toml`` (for lists where order matters)."""
    return list(_LEXICON["words"][name])


def is_greeting_opener(token: str) -> bool:
    """True when a message opening with ``token`` is (also) a greeting."""
    return token in _GREETING_OPENERS
