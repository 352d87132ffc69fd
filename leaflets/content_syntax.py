"""The syntax of a PDF content stream as ISO 32000-1 defines it, judged over the instructions pikepdf
parsed: every operator one of the standard's (Annex A) with the operands its table gives (counts and
types, and the values a few of them may take), standing where the standard lets it stand (figure 9: the
page level, a path object, a text object), and q/Q, BT/ET, BMC/BDC/EMC and BX/EX balanced.  Operators
the standard does not define are allowed only inside BX ... EX; the resources an operator names (a font,
an XObject, an ExtGState, a shading, a colour space, a pattern) must be in the stream's resources.

A viewer passes over much of this; a raster image processor may stop at it or draw something else, so
preflight reports each as an error of the file's structure, or as a warning where what every reader does with
it is known (see Problem.error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# operand kinds
NUM, INT, NAME, STR, ARR, PROP = "number", "integer", "name", "string", "array", "dictionary or name"
_VAR = object()                  # any count of numbers (sc, SC)
_VAR_NAME = object()             # numbers, then perhaps a pattern's name (scn, SCN)

# ISO 32000-1 Annex A (table A.1), with each operator's operands from the tables of its section
SIGNATURES: dict[str, object] = {
    # general graphics state (table 57)
    "w": (NUM,), "J": (INT,), "j": (INT,), "M": (NUM,), "d": (ARR, NUM), "ri": (NAME,), "i": (NUM,),
    "gs": (NAME,),
    # special graphics state
    "q": (), "Q": (), "cm": (NUM,) * 6,
    # path construction (table 59), painting (table 60), clipping (table 61)
    "m": (NUM,) * 2, "l": (NUM,) * 2, "c": (NUM,) * 6, "v": (NUM,) * 4, "y": (NUM,) * 4, "h": (),
    "re": (NUM,) * 4,
    "S": (), "s": (), "f": (), "F": (), "f*": (), "B": (), "B*": (), "b": (), "b*": (), "n": (),
    "W": (), "W*": (),
    # text objects, state, positioning, showing (tables 107, 105, 108, 109)
    "BT": (), "ET": (),
    "Tc": (NUM,), "Tw": (NUM,), "Tz": (NUM,), "TL": (NUM,), "Tf": (NAME, NUM), "Tr": (INT,), "Ts": (NUM,),
    "Td": (NUM,) * 2, "TD": (NUM,) * 2, "Tm": (NUM,) * 6, "T*": (),
    "Tj": (STR,), "'": (STR,), '"': (NUM, NUM, STR), "TJ": (ARR,),
    # Type 3 glyphs (table 113)
    "d0": (NUM,) * 2, "d1": (NUM,) * 6,
    # colour (table 74)
    "CS": (NAME,), "cs": (NAME,), "SC": _VAR, "sc": _VAR, "SCN": _VAR_NAME, "scn": _VAR_NAME,
    "G": (NUM,), "g": (NUM,), "RG": (NUM,) * 3, "rg": (NUM,) * 3, "K": (NUM,) * 4, "k": (NUM,) * 4,
    # shading, XObjects, marked content (table 320), compatibility
    "sh": (NAME,), "Do": (NAME,),
    "MP": (NAME,), "DP": (NAME, PROP), "BMC": (NAME,), "BDC": (NAME, PROP), "EMC": (),
    "BX": (), "EX": (),
}
# the values some integer operands may take
_RANGES = {"J": range(0, 3), "j": range(0, 3), "Tr": range(0, 8)}
_VALUES = frozenset(_RANGES) | {"w"}      # operators whose operands' values are judged, not only their kinds

GENERAL = frozenset({"w", "J", "j", "M", "d", "ri", "i", "gs"})
SPECIAL = frozenset({"q", "Q", "cm"})
COLOUR = frozenset({"CS", "cs", "SC", "SCN", "sc", "scn", "G", "g", "RG", "rg", "K", "k"})
TEXT_STATE = frozenset({"Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts"})
TEXT_POSITION = frozenset({"Td", "TD", "Tm", "T*"})
TEXT_SHOW = frozenset({"Tj", "'", '"', "TJ"})
MARKED = frozenset({"MP", "DP", "BMC", "BDC", "EMC"})
COMPAT = frozenset({"BX", "EX"})
PATH = frozenset({"m", "l", "c", "v", "y", "h", "re"})
PAINT = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"})
CLIP = frozenset({"W", "W*"})

# figure 9: what may stand where
_AT_PAGE = GENERAL | SPECIAL | COLOUR | TEXT_STATE | MARKED | COMPAT | {"Do", "sh", "BT", "m", "re"}
_IN_TEXT = GENERAL | COLOUR | TEXT_STATE | TEXT_POSITION | TEXT_SHOW | MARKED | COMPAT | {"ET"}
_IN_PATH = PATH | PAINT | CLIP
_DEVICE_SPACES = frozenset({"/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern"})

_PLACE = {"page": "outside any path or text object", "path": "inside a path (between m or re and the operator "
          "that paints it)", "clip": "between W or W* and the operator that paints the path",
          "text": "inside a text object (between BT and ET)"}


@dataclass
class Problem:
    kind: str            # what sort of problem, for counting alike ones together
    op: str
    index: int           # the instruction's place in the stream, from 0
    message: str
    error: bool = True   # False: against the standard, but what every reader does with it is known (a Q
                         # left out at the end, a path painted with no path): a warning


def _misplaced(op: str, place: str, i: int) -> Problem:
    """``op`` standing where figure 9 does not let it.  An error where a reader has nothing to act on: text
    shown or moved outside a text object, a path continued with no current point, a text object begun in
    another or d0/d1 anywhere but first in a glyph; a warning for the rest."""
    error = ((place == "page" and op in TEXT_SHOW | TEXT_POSITION | {"ET", "l", "c", "v", "y", "h"})
             or (op == "BT" and place == "text") or op in ("d0", "d1"))
    return Problem("place", op, i, f"'{op}' stands {_PLACE[place]}, where it may not", error)


def _kind_of(obj) -> str | None:
    """The operand kind ``obj`` (an operand as pikepdf gives it: int, Decimal, or a pikepdf object) is, or None
    for one no operator takes (a boolean, null)."""
    import decimal

    import pikepdf
    if isinstance(obj, bool) or obj is None:
        return None
    if isinstance(obj, (int, float, decimal.Decimal)):
        return NUM
    if isinstance(obj, pikepdf.Name):
        return NAME
    if isinstance(obj, pikepdf.String):
        return STR
    if isinstance(obj, pikepdf.Array):
        return ARR
    if isinstance(obj, pikepdf.Dictionary):
        return PROP
    return None


def _operand_problem(op: str, operands) -> str | None:
    """What is wrong with ``operands`` for ``op`` (None when nothing is)."""
    sig = SIGNATURES[op]
    kinds = [_kind_of(o) for o in operands]
    if sig is _VAR or sig is _VAR_NAME:
        numbers = kinds[:-1] if sig is _VAR_NAME and kinds and kinds[-1] == NAME else kinds
        if any(k != NUM for k in numbers):
            return "takes numbers" + (" and perhaps a pattern's name" if sig is _VAR_NAME else "")
        if sig is _VAR and not numbers:
            return "takes one number or more"
        return None
    if len(kinds) != len(sig):
        want = ", ".join(sig) if sig else "nothing"
        return f"takes {len(sig)} operand(s) ({want}), not {len(kinds)}"
    for n, (want, got) in enumerate(zip(sig, kinds), start=1):
        if want == INT:
            if got != NUM:
                return f"takes an integer as operand {n}, not a {got or 'boolean or null'}"
            value = float(operands[n - 1])
            if value != int(value) or (op in _RANGES and int(value) not in _RANGES[op]):
                allowed = _RANGES.get(op)
                return (f"takes an integer{f' from {allowed.start} to {allowed.stop - 1}' if allowed else ''} "
                        f"as operand {n}, not {value:g}")
        elif want == PROP:
            if got not in (PROP, NAME):
                return f"takes a dictionary or a name as operand {n}, not a {got or 'boolean or null'}"
        elif got != want:
            return f"takes a {want} as operand {n}, not a {got or 'boolean or null'}"
    if op == "TJ" and any(_kind_of(x) not in (STR, NUM) for x in operands[0]):
        return "takes an array of strings and numbers only"
    if op == "d" and any(_kind_of(x) != NUM for x in operands[0]):
        return "takes an array of numbers (the dash pattern) as operand 1"
    if op == "w" and float(operands[0]) < 0:
        return "takes a line width of 0 or more"
    return None


def _resource_problem(op: str, operands, resources) -> str | None:
    """What is missing from ``resources`` for the resource ``op`` names, or None."""
    import pikepdf
    if not operands:
        return None
    if op in ("scn", "SCN"):
        name = operands[-1]
        category = "/Pattern"
    else:
        name = operands[0]
        category = {"Tf": "/Font", "Do": "/XObject", "gs": "/ExtGState", "sh": "/Shading",
                    "cs": "/ColorSpace", "CS": "/ColorSpace"}.get(op)
    if category is None or not isinstance(name, pikepdf.Name):
        return None
    if category == "/ColorSpace" and str(name) in _DEVICE_SPACES:
        return None
    try:
        table = resources.get(category) if resources is not None else None
        found = table.get(str(name)) if isinstance(table, pikepdf.Dictionary) else None
    except pikepdf.PdfError:
        found = None
    if found is None:
        what = {"/Font": "font", "/XObject": "XObject (image or form)", "/ExtGState": "graphics state (ExtGState)",
                "/Shading": "shading", "/ColorSpace": "colour space", "/Pattern": "pattern"}[category]
        return f"names the {what} {name}, which its resources do not have"
    return None


# reading an instruction as qpdf writes it (pikepdf.unparse_content_stream(), one line each), without
# making its objects: the walker of leaflets.preflight reads its numbers and TJ arrays so too

def numbers(line: bytes, sp: int) -> list[float] | None:
    """The operands of an instruction as qpdf writes it (``line``: each operand followed by a space, then the
    operator, after the space at ``sp``) as numbers, or None unless each is a finite number.  A token float()
    reads is an integer or a real (strings, names, arrays and dictionaries are written from ( < / [, booleans
    and null as words, and any other word would be an operator), and float() makes of the text qpdf writes
    what it makes of the operand (an int, or a Decimal of that text)."""
    if sp < 0:
        return []
    try:
        vals = list(map(float, line[:sp].split(b" ")))
    except ValueError:
        return None
    total = sum(vals)
    if total - total != 0.0:      # inf or nan somewhere (or finite numbers whose sum is not)
        for v in vals:
            if v - v != 0.0:
                return None
    return vals


# an item of a TJ array as qpdf writes it: a string in hexadecimal (two digits a byte) or literal (a byte
# itself, or escaped: \n \r \t \b \f \( \) \\ or three octal digits), or any other run of bytes
_TJ_ITEM = re.compile(rb"<[0-9a-f]*>|\((?:[^\\)]|\\[0-7]{3}|\\[^0-7])*\)|[^ ]+", re.S)
_ESCAPE = re.compile(rb"\\(?:[0-7]{3}|.)", re.S)


def shown(line: bytes, sp: int, fsize: float, th: float) -> tuple[int, float, float] | None:
    """(bytes shown, the negative and the positive adjustments summed in text space, in order) of a TJ as qpdf
    writes it (see numbers: its array written as [ items ]) whose array holds only strings and finite numbers;
    None for any other."""
    if sp < 3 or line[:2] != b"[ " or line[sp - 2:sp] != b" ]":
        return None
    n = 0
    back = ahead = 0.0
    for t in _TJ_ITEM.findall(line, 2, sp - 1):
        c = t[0]
        if c == 60:               # <
            if len(t) < 2 or t[1] == 60 or t[-1] != 62:
                return None
            n += (len(t) - 2) >> 1
        elif c == 40:             # (
            if len(t) < 2 or t[-1] != 41:
                return None
            n += len(t) - 2 if 92 not in t else len(_ESCAPE.sub(b"x", t)) - 2
        else:
            try:
                v = float(t)
            except ValueError:
                return None
            if v - v != 0.0:
                return None
            d = -v / 1000 * fsize * th
            if d < 0:
                back += d
            else:
                ahead += d
    return n, back, ahead


_NUMBERS_ONLY = {op: len(sig) for op, sig in SIGNATURES.items()
                 if isinstance(sig, tuple) and all(k == NUM for k in sig)}
_OPERATOR_BYTES = {op.encode("latin-1"): op for op in SIGNATURES}
_NAMES_RESOURCE = frozenset({"Tf", "Do", "gs", "sh", "cs", "CS", "scn", "SCN"})


def check(instructions, resources, glyph: bool = False, lines: list | None = None) -> list[Problem]:
    """The problems of a content stream's ``instructions`` (pikepdf.parse_content_stream()), drawn with
    ``resources``; ``glyph``: the stream is a Type 3 glyph's description (it starts with d0 or d1).
    ``lines``: the text qpdf writes of each instruction, one line each (see preflight's keep_content), where
    the caller has it: an instruction whose text shows it sound is not read again as objects."""
    import pikepdf
    instruction = pikepdf.ContentStreamInstruction
    problems: list[Problem] = []
    seen: dict[bytes, tuple] = {}       # an instruction's text -> (op, its problem) for those read as objects
    place = "page"
    saves = 0            # q without Q
    marked = 0           # BMC/BDC without EMC
    compat = 0           # BX without EX
    first = True
    for i, ins in enumerate(instructions):
        if type(ins) is not instruction:
            if place != "page":
                problems.append(Problem("place", "BI", i, f"an inline image (BI ... EI) stands {_PLACE[place]}, "
                                                          "where none may", False))
            first = False
            continue
        op = None
        line = lines[i] if lines is not None else None
        if line is not None:
            sp = line.rfind(b" ")
            op = _OPERATOR_BYTES.get(line[sp + 1:])
            count = _NUMBERS_ONLY.get(op, -1)
            if count != -1:
                if op not in _VALUES:
                    nums = numbers(line, sp)
                    if nums is not None and len(nums) == count:
                        line = b""                   # sound: numbers as many as it takes
            elif op == "TJ" and shown(line, sp, 1.0, 1.0) is not None:
                line = b""                           # one array of strings and numbers
        if line:
            found = seen.get(line)
            if found is not None:
                op, problem = found
                if problem is not None:
                    problems.append(Problem(problem[0], op, i, problem[1]))
                line = b""
        if op is None or line:
            try:
                op = str(ins.operator)
            except UnicodeDecodeError:
                problems.append(Problem("unknown", "?", i, "has bytes that are no operator"))
                continue
            if op not in SIGNATURES:
                if not compat:
                    problems.append(Problem("unknown", op, i, f"'{op[:20]}' is not a PDF operator (ISO 32000-1 "
                                                              "Annex A), and it stands outside BX ... EX"))
                first = False
                continue
            operands = ins.operands
            wrong = _operand_problem(op, operands)
            problem = ("operands", f"'{op}' {wrong}") if wrong is not None else None
            if problem is None and op in _NAMES_RESOURCE:
                missing = _resource_problem(op, operands, resources)
                problem = ("resource", f"'{op}' {missing}") if missing is not None else None
            if problem is not None:
                problems.append(Problem(problem[0], op, i, problem[1]))
            if line is not None and len(seen) < 4096:
                seen[line] = (op, problem)
        # where it stands
        if op == "d0" or op == "d1":
            if not (glyph and first):
                problems.append(Problem("place", op, i, f"'{op}' may stand only first in a Type 3 glyph's content"))
            first = False
            continue
        first = False
        if op in COMPAT:
            if op == "BX":
                compat += 1
            elif compat:
                compat -= 1
            else:
                problems.append(Problem("balance", op, i, "'EX' ends a compatibility section that no BX began",
                                        False))
            continue
        if op in MARKED:
            if op == "BMC" or op == "BDC":
                marked += 1
            elif op == "EMC":
                if marked:
                    marked -= 1
                else:
                    problems.append(Problem("balance", op, i, "'EMC' ends marked content that no BMC or BDC began",
                                            False))
        if op == "q":                # counted wherever it stands: a reader saves the state all the same
            saves += 1
        elif op == "Q":
            if saves:
                saves -= 1
            else:
                problems.append(Problem("balance", op, i, "'Q' restores a graphics state that no q saved"))
        if place == "page":
            if op not in _AT_PAGE:
                problems.append(_misplaced(op, place, i))
                continue
            if op == "BT":
                place = "text"
            elif op == "m" or op == "re":
                place = "path"
        elif place == "text":
            if op == "ET":
                place = "page"
            elif op not in _IN_TEXT:
                problems.append(_misplaced(op, place, i))
        else:                                   # path or clip
            if op in PAINT:
                place = "page"
            elif op in CLIP:
                place = "clip"
            elif op in PATH and place == "path":
                pass
            else:
                problems.append(_misplaced(op, place, i))
    end = max(len(instructions) - 1, 0)
    if place == "text":
        problems.append(Problem("unclosed", "BT", end, "a text object (BT) is not ended by ET", False))
    elif place != "page":
        problems.append(Problem("unclosed", "m", end, "a path is constructed but never painted (no S, f, n ...)",
                                False))
    if saves:
        problems.append(Problem("unclosed", "q", end, f"{saves} graphics state(s) saved with q are not restored "
                                                      "with Q (q and Q must balance within a content stream)", False))
    if marked:
        problems.append(Problem("unclosed", "BDC", end, f"{marked} marked-content sequence(s) (BMC/BDC) are not "
                                                        "ended with EMC", False))
    if compat:
        problems.append(Problem("unclosed", "BX", end, "a compatibility section (BX) is not ended with EX", False))
    return problems
