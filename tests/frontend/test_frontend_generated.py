"""What the package generates from the Solidity sources and the compiled NatSpec: enum tables both ways for every
enum an ABI uses, the enum parser on awkward sources, and NatSpec as TSDoc on every documented ABI item."""

from __future__ import annotations

import json
import re

from deai.frontend import solidity
from deai.frontend.abi_items import signature
from deai.frontend.errors import abi_of, reachable_errors
from deai.frontend.natspec import item_doc
from deai.frontend.package import ABI_DIR, TS_DIR, const_name, contract_types


def test_every_enum_an_abi_uses_is_exported_with_name_tables_both_ways(exports):
    used = set()
    for path in ABI_DIR.glob("*.json"):
        used |= set(re.findall(r'"enum ([A-Za-z_]\w*)\.([A-Za-z_]\w*)"', path.read_text()))
    assert used, "no enum found in any ABI"
    parsed = {(e.container, e.name): e for e in solidity.enums()}
    for container, name in used:
        enum = parsed[(container, name)]
        owner = container  # an interface's enum is named after its contract: IFoo / IFooTypes -> Foo
        if container.startswith("I"):
            owner = next((c for c in (container[1:], container[1:].removesuffix("Types"))
                          if (ABI_DIR / f"{c}.json").exists()), container)
        table, names = exports["contracts"][owner + name], exports["contracts"][owner + name + "Name"]
        assert table == {member: value for value, member in enumerate(enum.members)}
        assert names == list(enum.members)
        assert all(names[value] == member for member, value in table.items())


def test_the_enum_parser_reads_comments_trailing_commas_and_file_level_enums(tmp_path):
    (tmp_path / "A.sol").write_text(
        "// SPDX\n/// @notice Top level.\nenum Top { One, Two }\n"
        "interface IThing {\n    /// @notice The states.\n    enum State {\n        Idle, // nothing yet\n"
        "        /* running */ Busy,\n        Done\n    }\n    struct S { uint8 x; }\n}\n"
        "contract Other { enum Local { X } function f() external {} }\n")
    found = {(e.container, e.name): (e.members, e.doc) for e in solidity.enums(tmp_path)}
    assert found == {("", "Top"): (("One", "Two"), "Top level."),
                     ("IThing", "State"): (("Idle", "Busy", "Done"), "The states."),
                     ("Other", "Local"): (("X",), "")}


def test_the_encode_type_parser_reads_nested_struct_types():
    primary, types = solidity.parse_encode_type("Mail(Person from,Person to,string contents)Person(string name,address wallet)")
    assert primary == "Mail"
    assert types["Person"] == [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}]
    assert [m["name"] for m in types["Mail"]] == ["from", "to", "contents"]


def test_natspec_is_a_tsdoc_comment_on_every_documented_item():
    production, _ = contract_types()
    for name, contract_type in production.items():
        text = (TS_DIR / f"{name}.ts").read_text()
        documented = 0
        for item in abi_of(contract_type):
            lines = item_doc(item, contract_type.devdoc, contract_type.userdoc)
            if not lines:
                continue
            documented += 1
            block = "/**\n" + "".join(f"   * {line}\n" for line in lines)
            item_json = json.dumps(item, indent=2).replace("\n", "\n  ")
            assert block in text and text.index(block) < text.index(item_json), f"{name}: {signature(item)}"
        assert documented, f"{name}: no NatSpec at all"
        assert f"export const {const_name(name)} = [" in text


def test_errors_bubbled_up_from_openzeppelin_carry_the_natspec_of_their_declaration():
    production, mocks = contract_types()
    everything = {**production, **mocks}
    for name in ("ComputeMarketplace", "RewardPool"):
        text = (TS_DIR / f"{name}.ts").read_text()
        oz = [e for e in reachable_errors(name, everything) if e.origin.endswith("(OpenZeppelin)")]
        assert oz, f"{name}: no OpenZeppelin error reachable"
        for error in oz:
            lines = item_doc(error.item, *error.docs())
            assert any(line.startswith("@remarks ") for line in lines), f"{name}: {signature(error.item)} undocumented"
            assert "".join(f"   * {line}\n" for line in lines) in text
