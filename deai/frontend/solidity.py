"""What the front-end package reads from the Solidity sources: enums, EIP-712 type hashes and domains, and which
contract types a contract talks to. A deliberately small parser (comments stripped, braces matched), enough for
this project's style; what it cannot read it reports instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from deai.toolchain import PROJECT_ROOT

CONTRACTS_DIR = PROJECT_ROOT / "contracts"
REMAPPINGS = {"@openzeppelin/contracts/": PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts"}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_IMPORT = re.compile(r'^\s*import\s+(?:[^;]*?\bfrom\s+)?"([^"]+)"\s*;', re.MULTILINE)
_UNIT = re.compile(r"\b(?:abstract\s+)?(contract|interface|library)\s+([A-Za-z_]\w*)[^{;]*\{")
_ENUM = re.compile(r"\benum\s+([A-Za-z_]\w*)\s*\{([^}]*)\}")
_TYPEHASH = re.compile(r"\bconstant\s+([A-Za-z_]\w*)\s*=\s*keccak256\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)\)")
_EIP712_CTOR = re.compile(r"\bEIP712\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)")
_MEMBER = re.compile(r"^([A-Za-z_]\w*)\(([^()]*)\)")


def strip_comments(text: str) -> str:
    """The source without comments (string literals kept; a `//` inside a string is not a comment)."""
    out, pos = [], 0
    pattern = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
    for match in pattern.finditer(text):
        out.append(text[pos:match.start()])
        token = match.group(0)
        out.append(token if token.startswith('"') else "\n" * token.count("\n"))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def _display(path: Path) -> str:
    """A source path as the generated comments show it: project-relative, OpenZeppelin by its import path."""
    path = path.resolve()
    if not path.is_relative_to(PROJECT_ROOT):
        return str(path)
    return str(path.relative_to(PROJECT_ROOT)).removeprefix("node_modules/")


@cache
def read(path: Path) -> str:
    return path.read_text()


def resolve_import(importer: Path, target: str) -> Path:
    for prefix, root in REMAPPINGS.items():
        if target.startswith(prefix):
            return root / target[len(prefix):]
    return (importer.parent / target).resolve()


def import_closure(path: Path) -> list[Path]:
    """`path` and every file it imports, transitively (depth-first, each once)."""
    seen: dict[Path, None] = {}
    stack = [path.resolve()]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen[current] = None
        for target in reversed(_IMPORT.findall(strip_comments(read(current)))):
            stack.append(resolve_import(current, target))
    return list(seen)


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for index in range(open_at, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced braces")


def units(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of every contract/interface/library in comment-free `text`."""
    found = []
    for match in _UNIT.finditer(text):
        found.append((match.group(2), match.start(), _matching_brace(text, match.end() - 1)))
    return found


def _doc_before(raw: str, name: str, keyword: str) -> str:
    """The `/// @notice` (or `@dev`-free text) lines directly above `keyword name` in the raw source."""
    match = re.search(rf"((?:[ \t]*///[^\n]*\n)+)[ \t]*{keyword}\s+{re.escape(name)}\b", raw)
    if not match:
        return ""
    lines = [line.strip()[3:].strip() for line in match.group(1).splitlines()]
    text = " ".join(lines)
    notice = re.search(r"@notice\s+(.*?)(?=\s@\w+|$)", text)
    return notice.group(1).strip() if notice else ("" if text.startswith("@") else text)


@dataclass(frozen=True)
class Enum:
    container: str  # the contract or interface that declares it ("" at file level)
    name: str
    members: tuple[str, ...]
    doc: str
    source: str  # path relative to the project


def enums(root: Path = CONTRACTS_DIR, exclude: tuple[str, ...] = ("test",)) -> list[Enum]:
    """Every `enum` declared under `root` (skipping the `exclude` folders and hidden ones, such as the dependency
    sources Ape may copy into contracts/.cache), in path order."""
    found: list[Enum] = []
    for path in sorted(root.rglob("*.sol")):
        folders = path.relative_to(root).parts[:-1]
        if set(folders) & set(exclude) or any(part.startswith(".") for part in folders):
            continue
        raw = read(path)
        text = strip_comments(raw)
        spans = units(text)
        for match in _ENUM.finditer(text):
            container = next((name for name, start, end in spans if start < match.start() < end), "")
            members = tuple(m.strip() for m in match.group(2).split(",") if m.strip())
            found.append(Enum(container, match.group(1), members, _doc_before(raw, match.group(1), "enum"),
                              _display(path)))
    return found


@dataclass(frozen=True)
class TypedMessage:
    """One EIP-712 struct type as the contract hashes it: `encodeType` string and the parsed types."""

    constant: str  # the Solidity constant holding its hash (e.g. REGISTER_TYPEHASH)
    encoded: str  # e.g. "Register(address creator,bytes32 contentHash,...)"
    primary: str
    types: dict[str, list[dict[str, str]]]
    source: str


@dataclass
class Eip712:
    name: str | None  # None: set at deployment (a constructor argument), e.g. an ERC-20 permit token's name
    name_source: str  # the Solidity expression when not a literal
    version: str | None
    messages: list[TypedMessage] = field(default_factory=list)


def parse_encode_type(encoded: str) -> tuple[str, dict[str, list[dict[str, str]]]]:
    """`Mail(Person from)Person(string name)` -> ("Mail", {"Mail": [...], "Person": [...]})."""
    types: dict[str, list[dict[str, str]]] = {}
    rest, primary = encoded, None
    while rest:
        match = _MEMBER.match(rest)
        if not match:
            raise ValueError(f"cannot read the EIP-712 type string {encoded!r}")
        members = []
        for member in filter(None, (m.strip() for m in match.group(2).split(","))):
            kind, name = member.rsplit(" ", 1)
            members.append({"name": name, "type": kind.strip()})
        types[match.group(1)] = members
        primary = primary or match.group(1)
        rest = rest[match.end():]
    if primary is None:
        raise ValueError(f"empty EIP-712 type string {encoded!r}")
    return primary, types


def _literal(expression: str) -> str | None:
    match = _STRING.fullmatch(expression.strip())
    return match.group(0)[1:-1] if match else None


def eip712(source: Path) -> Eip712 | None:
    """The EIP-712 domain and signed messages of the contract in `source`, over its whole import closure:
    every `constant X = keccak256("Type(...)")` except the domain's own type hash."""
    domain: Eip712 | None = None
    messages: list[TypedMessage] = []
    for path in import_closure(source):
        text = strip_comments(read(path))
        for constant, literals in _TYPEHASH.findall(text):
            encoded = "".join(s[1:-1] for s in _STRING.findall(literals))
            if encoded.startswith("EIP712Domain("):
                continue
            primary, types = parse_encode_type(encoded)
            messages.append(TypedMessage(constant, encoded, primary, types, _display(path)))
        for name_expr, version_expr in _EIP712_CTOR.findall(text):
            found = Eip712(_literal(name_expr), name_expr.strip(), _literal(version_expr))
            if domain is None or (domain.name is None and found.name is not None):
                domain = found  # a literal name (the contract's own) wins over a base's parameter
    if not messages:
        return None
    if domain is None:
        raise ValueError(f"{source.name} hashes EIP-712 types but no EIP712(name, version) constructor was found")
    domain.messages = messages
    return domain


def referenced_types(source: Path) -> set[str]:
    """Identifiers used in `source` (comments and strings removed), for finding the contracts it calls."""
    text = _STRING.sub('""', strip_comments(read(source)))
    return set(re.findall(r"\b[A-Za-z_]\w*\b", text))


def _tags(comment: str) -> dict[str, object]:
    """NatSpec tags of one doc comment: {"notice", "details", "params": {name: text}} (untagged text is a notice)."""
    lines = []
    for line in comment.splitlines():
        line = line.strip()
        line = line[3:] if line.startswith("///") else line
        line = line.removeprefix("/**").removesuffix("*/").strip().removeprefix("*").strip()
        lines.append(line)
    text = " ".join(line for line in lines if line)
    parsed: dict[str, object] = {}
    params: dict[str, str] = {}
    for tag, body in re.findall(r"(?:^|\s)(@\w+|^)\s*(.*?)(?=\s@\w+|$)", text):
        if tag == "@param":
            name, _, rest = body.partition(" ")
            params[name] = rest.strip()
        elif tag in ("@notice", "", "@dev"):
            parsed["details" if tag == "@dev" else "notice"] = body.strip()
    if params:
        parsed["params"] = params
    return parsed


def error_doc(source: Path, name: str) -> dict[str, object]:
    """The NatSpec of `error name(...)` declared anywhere in `source`'s import closure ({} when undocumented)."""
    doc = re.compile(r"(/\*\*(?:(?!\*/).)*\*/|(?:[ \t]*///[^\n]*\n)+)\s*error\s+" + re.escape(name) + r"\s*\(",
                     re.DOTALL)
    for path in import_closure(source):
        match = doc.search(read(path))
        if match:
            return _tags(match.group(1))
    return {}
