"""Text normalisation and feature extraction shared by training and prediction.

Training and scoring call the very same ``extract_features``, so the pure-Python scorer sees
exactly the features the model was fitted on. Slack markup becomes placeholder tokens
(``zzmention``, ``zzlink``, ``zzcode`` …) so user ids, URLs and code do not turn into noise,
while the signals that matter (a trailing ``?``, interrogative openers, "still", "please",
error words, in five languages) become explicit features. Interactions of those cues tell an
open problem from one the customer reports as settled, and the last clause of a message is
described on its own ("fixed, thanks! but now the export is empty").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import NamedTuple

from requests_app.detection.lexicon import (
    BARE_NUDGES,
    QUESTION_OPENERS,
    cue_names,
    is_greeting_opener,
)

FEATURE_VERSION = "5"
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
# A 4xx/5xx number that is an HTTP status: "502s", "500er", "a 403", "error 500", "500 error".
_HTTP_ERROR = re.compile(
    r"(?<!\w)[45]\d\d(?:s|er|ers)(?!\w)"
    r"|(?:error|errors|erreur|erreurs|fehler|errores|erro|erros|code|status|http|return|returns|"
    r"returning|gives|giving|getting|get|got|throws|throwing|hitting|retorna|retornando|devuelve|"
    r"devolviendo|renvoie|renvoient|liefert|liefern|wirft|werfen|bekommen|kriegen|da|reprend|"
    r"prend|recebendo|tomando|lanza|a|an|une|un|eine|einen|uma|um|des|con|with|mit|avec|com) "
    r"[45]\d\d(?!\w)"
    r"|(?<!\w)[45]\d\d (?:error|errors|erreur|erreurs|fehler|errores|erro|erros|internal|bad|"
    r"not found|forbidden|unauthorized|gateway|service|too many)"
)
_SENTENCE_END = re.compile(r"[.!?\n]+\s*\S")
# Where the last clause of a message starts: after a sentence end or a contrast word. What a
# message ends with ("…, fixed now" / "thanks, but … still fails") often decides it.
_CLAUSE_BREAK = re.compile(
    r"(?:[.!?;:\n]+|,? (?:but|however|though|although|except|aber|allerdings|jedoch|"
    r"mais|par contre|sauf|pero|sin embargo|aunque|salvo|porem|no entanto|exceto|so que|"
    r"anyway|egal|bref|en fin|enfin|enfim))\s+(?=\S)"
)
_STRUCK = re.compile(r"~[^~\n]+~")
# A last clause opening on "now …" after a settled one: "Thanks, fixed! Now getting 429s".
_NOW_START = re.compile(
    r"(?:and |but |mas |mais |pero |aber )?(?:now|agora|ahora|maintenant|jetzt)\b"
)
_CONTRAST = re.compile(
    r"(?<!\w)(?:but|however|though|aber|allerdings|jedoch|mais|par contre|pero|sin embargo|"
    r"eso si|porem|no entanto|so que)(?!\w)"
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
        "fixed_by_us",
        "will_try",
        "http_error",
        "new_topic",
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
        "unsure",
        "problem_back",
        "http_error",
        "new_topic",
    ]
)


# Cues saying a problem is over: with an error word they mark a settled report, not a bug.
_SETTLED_CUES = frozenset(
    ["positive_state", "resolved", "found_it", "problem_gone", "no_action", "fixed_by_us"]
)
# Cues of something broken (``http_error`` comes from the tokens, not from the lexicon).
_PROBLEM_CUES = frozenset(["error", "not_working", "http_error"])
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


def _cue_features(
    cues: list[str], structure: list[str], word_count: int, reopened_at_end: bool = False
) -> list[str]:
    """``cue:*`` features plus a few interactions a linear model cannot form by itself.

    The interactions separate an open problem ("the export fails") from a settled one ("the
    export failed, fixed now", "the 502s were our proxy"), a reopened one ("the error is back
    although it was fixed", "thanks, fixed! now getting 429s": ``reopened_at_end``) and a
    question about a fix ("is the outage resolved?").
    """
    features = [f"cue:{name}" for name in cues]
    cue_set = set(cues)
    if cue_set & {"offer", "hypothetical"}:
        cue_set.discard("need")  # "let us know if you need more logs" offers, it does not ask
    if "out_of_office" in cue_set:
        cue_set.discard("please")  # "questions to <@U…> please" while away
    question_end = "q:end" in structure

    problem = bool(cue_set & _PROBLEM_CUES)
    if "scheduling" in cue_set and "error" not in cue_set:
        problem = False  # "tuesday I can't, wednesday works": a calendar, not a bug
    settled_by = cue_set & _SETTLED_CUES
    if "not_working" in cue_set:
        settled_by.discard("found_it")  # "je ne trouve pas", "no encontramos": not found
        settled_by.discard("fixed_by_us")  # "stopped working after we rotated the keys"
    reopened = "problem_gone" not in cue_set and (
        "problem_back" in cue_set or ("still" in cue_set and problem)
    )
    settled = bool(settled_by) and not reopened and not question_end and not reopened_at_end
    problem = problem or reopened
    if "hypothetical" in cue_set and not reopened and "http_error" not in cue_set:
        problem = False  # "if anything breaks we'll ping you here"

    asks = bool(cue_set & {"can_you", "please", "need", "still", "unsure", "new_topic"})
    if "thanks" in cue_set and (asks or question_end or (problem and not settled)):
        features.append("x:thanks_then_ask")
    if "fyi" in cue_set and problem and not settled:
        features.append("x:fyi_problem")
    if "resolved" in cue_set and "q:any" not in structure and not reopened:
        features.append("x:resolved_statement")
    if problem:
        features.append("x:settled_problem" if settled else "x:open_problem")
        if settled and "still" not in cue_set and "again" not in cue_set:
            features.append("x:settled_for_good")
    elif settled:
        features.append("x:settled_no_problem")
    if cue_set & {"problem_gone", "no_action"} and "still" not in cue_set:
        features.append("x:nothing_to_do")
    if "out_of_office" in cue_set:
        features.append("x:away")
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
    if normalized.lstrip().startswith(">") or "\n>" in normalized:
        features.append("p:quote")  # quotes an earlier message, usually to dispute it
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
    own_words = _own_words(normalized)
    cues = cue_names(own_words)
    http_error = ("zzhttp5" in tokens or "zzhttp4" in tokens) and bool(
        _HTTP_ERROR.search(own_words)
    )
    if http_error:
        cues.append("http_error")  # "we get 500s", "on reprend des erreurs 500", not "400 users"
    if "follow_up" not in cues and " ".join(words) in BARE_NUDGES:
        cues.append("follow_up")  # the whole message is a bump: "up", "petit up 🙏", "und?"
    last_clause = _last_clause_features(own_words, _LAST_CLAUSE_CUES.intersection(cues))
    reopened_at_end = bool({"last:open_problem", "last:contrast_unsettled"} & set(last_clause))
    features.extend(_cue_features(cues, features, len(words), reopened_at_end))
    features.extend(last_clause)
    if not words and tokens:
        features.append("only:markup")
    return features


def _own_words(normalized: str) -> str:
    """The text minus quoted lines (``> …``, usually the vendor's words) and ~struck~ text."""
    if ">" in normalized:
        lines = [line for line in normalized.split("\n") if not line.lstrip().startswith(">")]
        normalized = "\n".join(lines)
    if "~" in normalized:
        normalized = _STRUCK.sub(" ", normalized)
    return normalized


def _last_clause_features(normalized: str, candidates: set[str]) -> list[str]:
    """``last:*`` cue features of the final clause, for messages with more than one.

    ``candidates`` are the cues of the whole message: the last clause can only hold those.
    """
    starts = [match.end() for match in _CLAUSE_BREAK.finditer(normalized)]
    # The last break that leaves at least two words after it ("… aber down" is no clause).
    start = next((s for s in reversed(starts) if len(normalized[s:].split()) >= 2), 0)
    if start == 0:
        return []
    tail = normalized[start:]
    names = set(cue_names(tail, candidates)) if candidates else set()
    if "http_error" in candidates and _HTTP_ERROR.search(tail):
        names.add("http_error")
    features = [f"last:{name}" for name in sorted(names)]
    settled = bool(names & _SETTLED_CUES)
    if names & {"error", "not_working", "still", "http_error"} and not settled:
        features.append("last:open_problem")
    contrast = (
        _CONTRAST.search(normalized, max(0, start - 30), start)
        or _CONTRAST.match(tail)
        or _NOW_START.match(tail)
    )
    if not settled and candidates & _SETTLED_CUES and contrast:
        features.append("last:contrast_unsettled")  # "works now. but the roles were reset"
    elif settled and not names & {"error", "not_working", "still", "http_error"}:
        features.append("last:settled")
    if tail.rstrip(" .)*_~").endswith("?"):
        features.append("last:question")
    return features or ["last:plain"]


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
