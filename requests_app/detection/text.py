"""Text normalisation and feature extraction shared by training and prediction.

Training and scoring call the very same ``extract_features``, so the pure-Python scorer sees
exactly the features the model was fitted on. Slack markup becomes placeholder tokens
(``zzmention``, ``zzlink``, ``zzcode`` …) so user ids, URLs and code do not turn into noise,
while the signals that matter (a trailing ``?``, interrogative openers, "still", "please",
error words, in five languages) become explicit features.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import NamedTuple

from requests_app.detection.lexicon import QUESTION_OPENERS, cue_names, is_greeting_opener

FEATURE_VERSION = "4"
CHAR_NGRAM_SIZES = (2, 3, 4, 5)
MAX_TEXT_CHARS = 4000

_FENCED_CODE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>|<!subteam\^[^>]*>", re.IGNORECASE)
_BROADCAST = re.compile(r"<!(?:here|channel|everyone)(?:\|[^>]*)?>", re.IGNORECASE)
_CHANNEL = re.compile(r"<#[A-Z0-9]+(?:\|[^>]*)?>", re.IGNORECASE)
_LABELLED_LINK = re.compile(r"<(?:https?|mailto|ftp):[^|>\s]*\|([^>]*)>", re.IGNORECASE)
_BARE_LINK = re.compile(r"<(?:https?|mailto|ftp):[^>]*>|https?://\S+|www\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_EMOJI_CODE = re.compile(r":([a-z0-9_+\-']+):")
_PICTOGRAPH = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\U0001f1e6-\U0001f1ff]"
    "[\ufe0f\u200d\U0001f3fb-\U0001f3ff]*"
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'"})
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_HTTP_CODE = re.compile(r"([45])\d\d(?:s|er)?")
_SENTENCE_END = re.compile(r"[.!?\n]+\s*\S")
# Where the last clause of a message starts: after a sentence end or a contrast word. What a
# message ends with ("…, fixed now" / "thanks, but … still fails") often decides it.
_CLAUSE_BREAK = re.compile(
    r"(?:[.!?;:\n]+|,? (?:but|however|though|although|except|aber|allerdings|jedoch|"
    r"mais|par contre|sauf|pero|sin embargo|aunque|salvo|porem|no entanto|exceto|so que|"
    r"anyway|egal|bref|en fin|enfin|enfim))\s+(?=\S)"
)
# Cues worth knowing about in the last clause on their own.
_LAST_CLAUSE_CUES = frozenset(
    [
        "please",
        "can_you",
        "need",
        "follow_up",
        "still",
        "again",
        "error",
        "not_working",
        "thanks",
        "resolved",
        "problem_gone",
        "positive_state",
        "found_it",
        "no_action",
        "will_try",
    ]
)

_EMOJI_CLASSES: dict[str, str] = {
    **dict.fromkeys(["eyes", "point_up", "point_up_2", "up", "arrow_up", "bell"], "nudge"),
    **dict.fromkeys(
        [
            "rotating_light",
            "fire",
            "warning",
            "bug",
            "sos",
            "x",
            "exclamation",
            "bangbang",
            "scream",
            "red_circle",
            "boom",
            "skull",
        ],
        "alarm",
    ),
    **dict.fromkeys(
        [
            "thinking_face",
            "confused",
            "face_with_monocle",
            "question",
            "grey_question",
            "shrug",
            "man_shrugging",
            "woman_shrugging",
            "face_palm",
            "facepalm",
            "face_with_rolling_eyes",
            "disappointed",
            "cry",
            "sob",
            "grimacing",
            "rage",
        ],
        "puzzled",
    ),
}
_PICTOGRAPH_CLASSES: dict[str, str] = {
    "\U0001f440": "nudge",
    "\u261d": "nudge",
    "\U0001f446": "nudge",
    "\U0001f6a8": "alarm",
    "\U0001f525": "alarm",
    "\u26a0": "alarm",
    "\U0001f41b": "alarm",
    "\u274c": "alarm",
    "\u2757": "alarm",
    "\U0001f631": "alarm",
    "\U0001f914": "puzzled",
    "\U0001f615": "puzzled",
    "\U0001f937": "puzzled",
    "\u2753": "puzzled",
    "\U0001f926": "puzzled",
    "\U0001f644": "puzzled",
}
_PLACEHOLDER_PREFIX = "zz"
_REQUEST_CUES = frozenset(
    [
        "please",
        "can_you",
        "need",
        "follow_up",
        "still",
        "again",
        "error",
        "not_working",
        "urgent",
        "complaint",
        "when",
        "ja_request",
    ]
)


# Cues saying a problem is over: with an error word they mark a settled report, not a bug.
_SETTLED_CUES = frozenset(
    ["positive_state", "resolved", "found_it", "problem_gone", "no_action"]
)
# Cues of customer-side news (status, announcements, plans) rather than asks.
_STATEMENT_CUES = frozenset(
    ["fyi", "status_marker", "announce", "we_did", "our_side", "will_try", "scheduling"]
)


def _emoji_code_token(match: re.Match[str]) -> str:
    emoji_class = _EMOJI_CLASSES.get(match.group(1), "other")
    return f" zzemoji zzemo{emoji_class} "


def _pictograph_token(match: re.Match[str]) -> str:
    emoji_class = _PICTOGRAPH_CLASSES.get(match.group(0)[0], "other")
    return f" zzemoji zzemo{emoji_class} "


def strip_accents(text: str) -> str:
    """Drop combining marks so "exportación" and "exportacion" share features."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Lower-case, accent-free text with Slack markup replaced by placeholder words.

    Only the first ``MAX_TEXT_CHARS`` characters count: a request shows itself early, and the
    cap keeps the cost of a pasted log bounded.
    """
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).replace("\u00a0", " ")
    text = _FENCED_CODE.sub(" zzcodeblock ", text)
    text = _INLINE_CODE.sub(" zzcode ", text)
    text = _USER_MENTION.sub(" zzmention ", text)
    text = _BROADCAST.sub(" zzbroadcast ", text)
    text = _CHANNEL.sub(" zzchannel ", text)
    text = _LABELLED_LINK.sub(r" zzlink \1 ", text)
    text = _BARE_LINK.sub(" zzlink ", text)
    text = _EMAIL.sub(" zzemail ", text)
    text = _EMOJI_CODE.sub(_emoji_code_token, text.lower())
    text = _PICTOGRAPH.sub(_pictograph_token, text)
    text = strip_accents(text.translate(_APOSTROPHES))
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def _map_token(token: str) -> str:
    """Fold ticket ids, numbers and HTTP status codes into a few placeholder tokens."""
    if not any(char.isdigit() for char in token):
        return token
    http = _HTTP_CODE.fullmatch(token)
    if http:
        return f"zzhttp{http.group(1)}"
    if not any(char.isalpha() for char in token):
        return "zznum"
    if len(token) <= 3:
        return token
    return "zzid"


def tokenize(normalized: str) -> list[str]:
    """Word tokens of normalised text, with ids and numbers folded to placeholders."""
    return [_map_token(token) for token in _TOKEN.findall(normalized)]


def _length_bucket(word_count: int) -> str:
    for limit, label in ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (5, "4-5"), (8, "6-8")):
        if word_count <= limit:
            return label
    if word_count <= 14:
        return "9-14"
    return "15-25" if word_count <= 25 else "26+"


def _cue_features(cues: list[str], structure: list[str], word_count: int) -> list[str]:
    """``cue:*`` features plus a few interactions a linear model cannot form by itself."""
    features = [f"cue:{name}" for name in cues]
    cue_set = set(cues)
    question_end = "q:end" in structure
    asks = bool(cue_set & {"can_you", "please", "need", "error", "not_working", "still"})
    if "thanks" in cue_set and (asks or question_end):
        features.append("x:thanks_then_ask")
    if "fyi" in cue_set and cue_set & {"error", "not_working"}:
        features.append("x:fyi_problem")
    if "resolved" in cue_set and "q:any" not in structure:
        features.append("x:resolved_statement")
    problem = bool(cue_set & {"error", "not_working"})
    # "no longer works" is a broken thing, "errors no longer show up" a settled one.
    no_longer_settles = "no_longer" in cue_set and "not_working" not in cue_set
    settled = no_longer_settles or bool(cue_set & _SETTLED_CUES)
    if problem:
        features.append("x:settled_problem" if settled else "x:open_problem")
        if settled and "still" not in cue_set and "again" not in cue_set:
            features.append("x:settled_for_good")
    elif settled:
        features.append("x:settled_no_problem")
    if cue_set & {"problem_gone", "no_action"} and not cue_set & {"still", "follow_up"}:
        features.append("x:nothing_to_do")
    if "q:any" not in structure and not cue_set & _REQUEST_CUES:
        features.append("x:plain_statement")
        if cue_set & _STATEMENT_CUES:
            features.append("x:informative_statement")
    if question_end:
        features.append("x:question_rhetorical" if "rhetorical" in cue_set else "x:question")
        if word_count <= 5:
            features.append("x:short_question")
        if cue_set & {"social", "scheduling"}:
            features.append("x:social_question")
    return features


def _meta_features(raw: str, normalized: str, tokens: list[str], words: list[str]) -> list[str]:
    """Binary structural and lexicon features (the ``meta`` group)."""
    features = [f"len:{_length_bucket(len(words))}"]
    visible = normalized.replace("zzemoji", " ").split()
    while visible and visible[-1].startswith("zzemo"):
        visible.pop()  # a trailing emoji does not hide a trailing "?"
    trimmed = " ".join(visible).rstrip(" .)*_~")
    if trimmed.endswith("?"):
        features.append("q:end")
    if "?" in normalized:
        features.append("q:any")
    if "\u00bf" in normalized:
        features.append("q:inverted")
    if "!" in normalized:
        features.append("p:exclaim")
    if _SENTENCE_END.search(normalized.strip()):
        features.append("p:multi_sentence")
    letters = [char for char in raw[:MAX_TEXT_CHARS] if char.isalpha()]
    if len(letters) >= 4 and all(char.isupper() for char in letters):
        features.append("p:all_caps")
    first = words[0] if words else ""
    if first in QUESTION_OPENERS:
        features.append("open:question_word")
    if is_greeting_opener(first):
        features.append("open:greeting")
        if len(words) > 1 and words[1] in QUESTION_OPENERS:
            features.append("open:greeting_then_question")
    features.extend(_cue_features(cue_names(normalized), features, len(words)))
    features.extend(_last_clause_features(normalized))
    if not words and tokens:
        features.append("only:markup")
    return features


def _last_clause_features(normalized: str) -> list[str]:
    """``last:*`` cue features of the final clause, for messages with more than one."""
    start = 0
    for match in _CLAUSE_BREAK.finditer(normalized):
        start = match.end()
    if start == 0:
        return []
    tail = normalized[start:]
    if len(tail.split()) < 2:
        return ["last:short"]
    cues = [f"last:{name}" for name in cue_names(tail) if name in _LAST_CLAUSE_CUES]
    if tail.rstrip(" .)*_~").endswith("?"):
        cues.append("last:question")
    return cues or ["last:plain"]


class Analysis(NamedTuple):
    """Everything the scorer needs from one message, before character n-grams."""

    word_features: list[str]
    words: list[str]
    meta_features: list[str]


def char_ngrams(word: str) -> list[str]:
    """Character n-grams of one word padded with spaces (scikit-learn's ``char_wb``)."""
    padded = f" {word} "
    length = len(padded)
    grams: list[str] = []
    for size in CHAR_NGRAM_SIZES:
        grams.extend(padded[i : i + size] for i in range(length - size + 1))
    return grams


def analyze(text: str) -> Analysis:
    """Word n-grams (with ``^``/``$`` boundaries), plain words and meta features."""
    normalized = normalize(text)
    tokens = tokenize(normalized)
    words = [token for token in tokens if not token.startswith(_PLACEHOLDER_PREFIX)]
    bounded = ["^", *tokens, "$"]
    word_features = tokens + [f"{a} {b}" for a, b in itertools.pairwise(bounded)]
    return Analysis(word_features, words, _meta_features(text, normalized, tokens, words))


def extract_features(text: str) -> dict[str, list[str]]:
    """Features of one message, by group: ``word`` n-grams, ``char`` n-grams and ``meta``."""
    analysis = analyze(text)
    char_features: list[str] = []
    for word in analysis.words:
        char_features.extend(char_ngrams(word))
    return {
        "word": analysis.word_features,
        "char": char_features,
        "meta": analysis.meta_features,
    }
