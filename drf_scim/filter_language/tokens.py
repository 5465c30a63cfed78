"""The lexer for SCIM filters and PATCH paths (RFC 7644 §3.4.2.2, Figure 1; §3.5.2).

One precompiled master regular expression splits the input into a flat list of tokens.
The lexer is deliberately context free: ``and``, ``eq`` or ``true`` come out as plain
``WORD`` tokens and the parser decides, by position, whether a word is an attribute path,
an operator or a literal.  That keeps an attribute that happens to be called ``not`` or
``pr`` usable, and lets the parser say *what it expected* when a word is out of place.

The lexer never raises.  Input it cannot split becomes a final ``ERROR`` token carrying
the message and position, so that an earlier syntax error found by the parser is the one
reported, exactly as a single left-to-right pass would.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple, cast

__all__ = [
    "DOT",
    "EOF",
    "ERROR",
    "LBRACKET",
    "LPAREN",
    "NUMBER",
    "RBRACKET",
    "RPAREN",
    "STRING",
    "WORD",
    "Token",
    "describe",
    "tokenize",
]

# Token kinds.  They are the names of the groups of the master pattern.
WORD: Final = "word"
STRING: Final = "string"
NUMBER: Final = "number"
LPAREN: Final = "lparen"
RPAREN: Final = "rparen"
LBRACKET: Final = "lbracket"
RBRACKET: Final = "rbracket"
DOT: Final = "dot"
EOF: Final = "eof"
ERROR: Final = "error"

# Characters that may continue a word: ATTRNAME's nameChar (§3.4.2.2), "$" for "$ref",
# and the ":" and "." that join a schema URN, an attribute and a sub-attribute.
_WORD_CHARS = r"A-Za-z0-9_$.:\-"

_MASTER = re.compile(
    rf"""
      (?P<ws>[ \t\r\n]+)
    | (?P<word>[A-Za-z$][{_WORD_CHARS}]*)
    | (?P<string>"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{{4}})*")
    | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![{_WORD_CHARS}]))
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<lbracket>\[)
    | (?P<rbracket>\])
    | (?P<dot>\.)
    """,
    re.VERBOSE,
)
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_NUMBERISH = re.compile(rf"[+\-0-9][{_WORD_CHARS}+]*")


class Token(NamedTuple):
    """A lexeme: its ``kind``, its source ``text`` and its 0-based ``position``.

    For an ``ERROR`` token ``text`` is the error message instead.
    """

    kind: str
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``EOF`` or an ``ERROR`` token.

    Whitespace separates tokens and is otherwise dropped.  RFC 7644 asks for exactly one
    SP between tokens; any run of spaces, tabs, CR and LF is accepted, and none is needed
    next to a bracket, a parenthesis or a quoted string.  Two words still need one, or
    they lex as a single word: ``userNameeq"x"`` is the attribute ``userNameeq``.
    """
    tokens: list[Token] = []
    append = tokens.append
    match = _MASTER.match
    position = 0
    length = len(text)
    while position < length:
        found = match(text, position)
        if found is None:
            message, error_position = describe(text, position)
            append(Token(ERROR, message, error_position))
            return tokens
        kind = cast(str, found.lastgroup)  # every alternative is a named group
        end = found.end()
        if kind != "ws":
            append(Token(kind, text[position:end], position))
        position = end
    append(Token(EOF, "", length))
    return tokens


def describe(text: str, position: int) -> tuple[str, int]:
    """Explain why no token starts at ``position``; return the message and its position."""
    char = text[position]
    if char == '"':
        return _describe_bad_string(text, position)
    if char in "-+0123456789":
        found = _NUMBERISH.match(text, position)
        lexeme = found.group() if found else char
        return f"Invalid number '{lexeme}' (numbers follow the JSON syntax)", position
    if char == "'":
        return 'Strings must be enclosed in double quotes (")', position
    if char in "=!<>":
        return (
            f"Unexpected character '{char}': compare with eq, ne, co, sw, ew, gt, lt, ge, le or pr",
            position,
        )
    if char in "&|":
        return f"Unexpected character '{char}': combine expressions with 'and' or 'or'", position
    if char.isprintable() and not char.isspace():
        return f"Unexpected character '{char}'", position
    return f"Unexpected character U+{ord(char):04X}", position


def _describe_bad_string(text: str, start: int) -> tuple[str, int]:
    """Find what makes the JSON string opening at ``start`` invalid (RFC 8259 §7)."""
    length = len(text)
    index = start + 1
    while index < length:
        char = text[index]
        if char == "\\":
            escaped = text[index + 1 : index + 2]
            if escaped and escaped in '"\\/bfnrt':
                index += 2
                continue
            if escaped == "u":
                if _HEX4.fullmatch(text, index + 2, index + 6):
                    index += 6
                    continue
                return (
                    "Invalid \\u escape in string: expected four hexadecimal digits",
                    index,
                )
            if not escaped:
                break
            return f"Invalid escape sequence '\\{escaped}' in string", index
        if char < " ":
            return f"Control character U+{ord(char):04X} must be escaped in a string", index
        if char == '"':  # pragma: no cover - the master pattern accepts such a string
            break
        index += 1
    return "Unterminated string", start
