"""`make mutation` covers every production contract: each contract declared in contracts/marketplace, emission,
provenance and rewards has a mutation entry (its source, the in-process machines that judge its mutants, the unit tests on anvil
for their survivors), and a contract another one creates is compiled through its creator."""

from deai.mutation import ANVIL_TESTS, CONTRACTS, HOSTS, production_contracts


def test_every_production_contract_is_mutated():
    found = production_contracts()
    assert set(CONTRACTS) == set(found)
    assert set(ANVIL_TESTS) == set(found)
    for name, source in found.items():
        assert CONTRACTS[name][0] == source, name


def test_created_contracts_are_compiled_through_their_creator():
    for name, (host, names) in HOSTS.items():
        host_name = host.rsplit("/", 1)[-1].removesuffix(".sol")
        assert host_name in names and host_name in CONTRACTS
        text = (CONTRACTS[host_name][0])
        assert text == host
    # the marketplace creates its provider registry and disputes module: their code is inside its creation code
    from deai.toolchain import PROJECT_ROOT

    market = (PROJECT_ROOT / CONTRACTS["ComputeMarketplace"][0]).read_text()
    for created in ("ProviderRegistry", "MarketplaceDisputesAdmin"):
        assert f"new {created}(" in market and created in HOSTS


def test_every_production_contract_has_in_process_unit_tests():
    """Stage 1b (the unit tests in-process) exists for every contract and names existing test paths; stage 1c (another
    folder's tests) names a folder other than 1b's, for production contracts only."""
    from deai.mutation import OTHER_UNIT_TESTS, UNIT_TESTS
    from deai.toolchain import PROJECT_ROOT

    assert set(UNIT_TESTS) == set(production_contracts())
    assert set(OTHER_UNIT_TESTS) <= set(UNIT_TESTS)
    for name, args in [*UNIT_TESTS.items(), *OTHER_UNIT_TESTS.items()]:
        paths = [a for a in args if a.startswith("tests/")]
        assert paths and all((PROJECT_ROOT / p).exists() for p in paths), name
    for name, args in OTHER_UNIT_TESTS.items():
        folders = {a.split("/")[1] for a in [*args, *UNIT_TESTS[name]] if a.startswith("tests/")}
        assert len(folders) == 2, name  # one folder each: 1c runs in a session of its own
