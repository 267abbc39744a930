"""@deai/contracts as a dApp consumes it: strict type-checking under moduleResolution nodenext and bundler, an
`npm pack` tarball installed from a file path into a fresh project, typed addresses generated from manifests (read
defensively), and each ABI once in the wagmi contract list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eth_utils import to_checksum_address

from deai.frontend import node, solidity
from deai.frontend.addresses import ManifestError, deployments
from deai.frontend.node import PACKAGE_DIR
from deai.frontend.abi_items import signature
from deai.frontend.package import TS_DIR, const_name, contract_types, render_addresses, render_wagmi

TSCONFIGS = {
    "nodenext": {"module": "NodeNext", "moduleResolution": "NodeNext"},
    "bundler": {"module": "ESNext", "moduleResolution": "Bundler"},
}

# A dApp's file: typed reads with manifest addresses, enums, EIP-712, error decoding; and type errors that must stay
# errors (a wrong function name, a wrong enum value), so the package's types are checked, not `any`.
APP_TS = """\
import { createPublicClient, decodeErrorResult, encodeErrorResult, http, type Address } from "viem";
import {
  addresses, errorsAbi, provenanceRegistryAbi, provenanceRegistryDomain, provenanceRegistryTypes, rewardPoolAbi,
  ProvenanceRegistryKind, ProvenanceRegistryKindName, wagmiContracts, computeMarketplaceAbi,
} from "@deai/contracts";
import { mockERC20Abi } from "@deai/contracts/mocks";

const client = createPublicClient({ transport: http("http://127.0.0.1:1") });

export async function nonceOf(registry: Address, account: Address): Promise<bigint> {
  return client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "nonces", args: [account] });
}

export async function balanceOf(token: Address, account: Address): Promise<bigint> {
  return client.readContract({ address: token, abi: mockERC20Abi, functionName: "balanceOf", args: [account] });
}

export async function wrong(registry: Address): Promise<void> {
  // @ts-expect-error the registry has no such function
  await client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "noSuchFunction" });
}

// @ts-expect-error 99 is no Kind
export const badKind: ProvenanceRegistryKind = 99;
export const kindName: string = ProvenanceRegistryKindName[ProvenanceRegistryKind.__KIND__];
export const domain = provenanceRegistryDomain(11155111, "0x0000000000000000000000000000000000000001");
export const registerFields: readonly { readonly name: string; readonly type: string }[] = provenanceRegistryTypes.Register;
export const chains: readonly string[] = Object.keys(addresses);
export const pools = wagmiContracts.filter((c) => c.abi === rewardPoolAbi).length;

const data = encodeErrorResult({
  abi: computeMarketplaceAbi, errorName: "ERC20InsufficientAllowance",
  args: ["0x0000000000000000000000000000000000000002", 0n, 5n],
});
const decoded = decodeErrorResult({ abi: errorsAbi, data });
console.log(JSON.stringify({ error: decoded.errorName, kindName, pools, domain }));
"""


def _second_kind() -> str:
    [kind] = [e for e in solidity.enums() if (e.container, e.name) == ("IProvenanceRegistry", "Kind")]
    return kind.members[1]


def _zero_arg_view(contract: str) -> str:
    """A view function without arguments of `contract` (taken from its ABI, so renames do not break the test)."""
    abi = json.loads((PACKAGE_DIR / f"{contract}.json").read_text())
    return next(i["name"] for i in abi if i["type"] == "function" and i["stateMutability"] == "view"
                and not i["inputs"] and i["outputs"])


def _project(root: Path, mode: str, emit: bool) -> Path:
    options = {"target": "ES2022", "strict": True, "noUncheckedIndexedAccess": True, "skipLibCheck": False,
               "types": [], "outDir": "out", "noEmit": not emit, **TSCONFIGS[mode]}
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "app.ts").write_text(APP_TS.replace("__KIND__", _second_kind()))
    (root / "tsconfig.json").write_text(json.dumps({"compilerOptions": options, "include": ["src"]}))
    return root


def test_the_package_sources_type_check_strictly_in_both_module_modes():
    node.require_tools()
    node.run(["npm", "run", "--silent", "typecheck"], PACKAGE_DIR)  # tsconfig.json (nodenext), tsconfig.bundler.json


def test_npm_pack_tarball_installs_from_a_file_path_and_type_checks_and_runs(tmp_path):
    # `npm pack` and `npm publish` build dist/ first (prepack); here the session's build (node.build, once) did it.
    assert json.loads((PACKAGE_DIR / "package.json").read_text())["scripts"]["prepack"] == "npm run build"
    node.build()
    out = node.run(["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", str(tmp_path)], PACKAGE_DIR)
    [packed] = json.loads(out[out.index("["):])
    files = {f["path"] for f in packed["files"]}
    assert {"package.json", "dist/index.js", "dist/index.d.ts", "dist/mocks/index.js", "ts/index.ts"} <= files
    assert not any(f.startswith(("node_modules", "examples")) or f.endswith(".tgz") for f in files)
    tarball = tmp_path / packed["filename"]
    for mode in TSCONFIGS:
        app = tmp_path / mode
        app.mkdir()
        (app / "package.json").write_text(json.dumps({"name": f"dapp-{mode}", "private": True, "type": "module"}))
        node.run(["npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", str(tarball)], app)
        assert json.loads((app / "package.json").read_text())["dependencies"]["@deai/contracts"].startswith("file:")
        node.link_tools(app, "viem", "typescript")
        node.tsc(_project(app, mode, emit=mode == "nodenext"))
    printed = json.loads(node.run(["node", "out/app.js"], tmp_path / "nodenext"))
    assert printed == {"error": "ERC20InsufficientAllowance", "kindName": _second_kind(), "pools": 1,
                       "domain": {"name": "ProvenanceRegistry", "version": "1", "chainId": 11155111,
                                  "verifyingContract": "0x0000000000000000000000000000000000000001"}}


def _manifest(path: Path, chain_id, contracts: dict[str, tuple[str, str]], **extra) -> None:
    path.write_text(json.dumps({
        "format": 1, "network": path.stem, "chainId": chain_id, "deployer": "0x" + "ab" * 20,
        "contracts": {key: {"contract": name, "address": address, "transactionHash": "0x" + "00" * 32,
                            "blockNumber": "123", "constructorArgs": ["1000000000000000000000"], "abi": []}
                      for key, (name, address) in contracts.items()},
        "pending": {}, **extra}))


SEPOLIA = {"ProvenanceRegistry": ("ProvenanceRegistry", "0x" + "1a" * 20),
           "RewardPoolCapital": ("RewardPool", "0x" + "2b" * 20), "RewardPoolCompute": ("RewardPool", "0x" + "3c" * 20),
           "ComputeMarketplace": ("ComputeMarketplace", "0x" + "4d" * 20)}


def test_addresses_module_from_manifests_types_reads_without_a_cast_and_matches_them(tmp_path):
    manifests = tmp_path / "deployments"
    manifests.mkdir()
    _manifest(manifests / "sepolia.json", 11155111, SEPOLIA)
    _manifest(manifests / "base-sepolia.json", "84532", {"ProvenanceRegistry": ("ProvenanceRegistry", "0x" + "5e" * 20)})
    _manifest(manifests / "local.json", 31337, {"ProvenanceRegistry": ("ProvenanceRegistry", "0x" + "6f" * 20)})
    deployed = deployments(manifests)
    assert [d.chain_id for d in deployed] == [84532, 11155111]  # local.json skipped, a decimal-string chain id read
    production, _ = contract_types()
    package = node.package_copy(tmp_path / "pkg", {TS_DIR / "addresses.ts": render_addresses(deployed),
                                                   TS_DIR / "wagmi.ts": render_wagmi(production, deployed)})
    app = node.consumer(tmp_path / "app", package)
    (app / "src").mkdir()
    (app / "src" / "read.ts").write_text(
        'import { createPublicClient, http } from "viem";\n'
        'import { addresses, provenanceRegistryAbi, rewardPoolAbi } from "@deai/contracts";\n'
        'const client = createPublicClient({ transport: http("http://127.0.0.1:1") });\n'
        'export const n = client.readContract({ address: addresses[11155111].ProvenanceRegistry,\n'
        '  abi: provenanceRegistryAbi, functionName: "nonces", args: [addresses[84532].ProvenanceRegistry] });\n'
        'export const p = client.readContract({ address: addresses[11155111].RewardPoolCompute, abi: rewardPoolAbi,\n'
        f'  functionName: "{_zero_arg_view("RewardPool")}" }});\n'
        '// @ts-expect-error no deployment on chain 1\n'
        'export const none = addresses[1].ProvenanceRegistry;\n')
    node.link_tools(app, "typescript")
    (app / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "module": "NodeNext", "moduleResolution": "NodeNext", "types": []},
        "include": ["src"]}))
    node.tsc(app)
    dumped = node.node_json(app, "dump.mjs")["contracts"]
    assert dumped["addresses"] == {
        "11155111": {k: to_checksum_address(a) for k, (_, a) in SEPOLIA.items()},
        "84532": {"ProvenanceRegistry": to_checksum_address("0x" + "5e" * 20)}}
    assert dumped["contractNames"]["11155111"]["RewardPoolCompute"] == "RewardPool"
    wagmi = {c["name"]: c for c in dumped["wagmiContracts"]}
    assert len(wagmi) == len(dumped["wagmiContracts"]) == len(production)  # each ABI once
    assert "address" not in wagmi["RewardPool"]  # two pools on sepolia: the hooks take the address
    assert wagmi["ProvenanceRegistry"]["address"] == {"84532": to_checksum_address("0x" + "5e" * 20),
                                                      "11155111": to_checksum_address("0x" + "1a" * 20)}


def test_the_committed_package_addresses_match_the_committed_manifests(exports):
    expected = {str(d.chain_id): {k: a for k, (_, a) in d.contracts.items()} for d in deployments()}
    assert exports["contracts"]["addresses"] == expected


@pytest.mark.parametrize("content, message", [
    ('{"chainId": "0x1", "contracts": {}}', "chainId must be a decimal number"),
    ('{"chainId": 5, "contracts": {"X": {"address": "0x12"}}}', "contracts.X.address is not an address"),
    ("{not json", "not JSON"),
])
def test_an_unreadable_manifest_is_one_clear_error(tmp_path, content, message):
    (tmp_path / "sepolia.json").write_text(content)
    with pytest.raises(ManifestError, match=message):
        deployments(tmp_path)


def test_two_manifests_for_one_chain_are_refused(tmp_path):
    _manifest(tmp_path / "sepolia.json", 11155111, {})
    _manifest(tmp_path / "sepolia-old.json", 11155111, {})
    with pytest.raises(ManifestError, match="both record chain id 11155111"):
        deployments(tmp_path)


def test_an_internal_delegatecall_module_is_not_exported_but_its_errors_and_events_reach_its_host(exports):
    """`MarketplaceDisputesAdmin` runs by delegatecall from the marketplace's address: a dApp never calls it at its
    own address, so the package has no ABI, wagmi entry or export for it; everything it declares (events it emits,
    errors it raises) is in the marketplace's ABI, and every error it can reach decodes with that ABI."""
    from deai.frontend.errors import reachable_errors
    from deai.frontend.package import delegate_modules, error_sources

    everything = error_sources()
    assert delegate_modules(everything) == {"MarketplaceDisputesAdmin": "ComputeMarketplace"}
    production, _ = contract_types()
    assert "MarketplaceDisputesAdmin" not in production and "ComputeMarketplace" in production
    assert not (PACKAGE_DIR / "MarketplaceDisputesAdmin.json").exists()
    assert not (TS_DIR / "MarketplaceDisputesAdmin.ts").exists()
    assert "marketplaceDisputesAdminAbi" not in exports["contracts"]
    assert "MarketplaceDisputesAdmin" not in {c["name"] for c in exports["contracts"]["wagmiContracts"]}
    host = {(i["type"], signature(i)) for i in json.loads((PACKAGE_DIR / "ComputeMarketplace.json").read_text())}
    module = everything["MarketplaceDisputesAdmin"]
    declared = {(i.type, signature(i.model_dump(mode="json", by_alias=True))) for i in module.abi
                if i.type in ("event", "error")}
    assert declared and declared <= host
    reachable = {("error", signature(e.item)) for e in reachable_errors("MarketplaceDisputesAdmin", everything)}
    assert reachable <= host


def test_the_wagmi_example_config_type_checks_and_generates_each_abi_once(tmp_path):
    """abi/examples/wagmi.config.ts against the pinned @wagmi/cli (abi/ devDependency): strict tsc (nodenext), then
    `wagmi generate` offline: one ABI constant per exported contract, none twice."""
    node.require_tools()
    if not (node.TOOLS / "@wagmi" / "cli").is_dir():
        pytest.fail("abi/node_modules has no @wagmi/cli: run `make setup` (npm ci in abi/)")
    app = node.consumer(tmp_path / "wagmi")
    node.link_tools(app, "typescript", "@wagmi/cli", "@types/node")
    (app / "wagmi.config.ts").write_text((PACKAGE_DIR / "examples" / "wagmi.config.ts").read_text())
    (app / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
        "skipLibCheck": False, "types": ["node"]}, "files": ["wagmi.config.ts"]}))
    node.tsc(app)
    node.run(["node", str(node.TOOLS / "@wagmi" / "cli" / "dist" / "esm" / "cli.js"), "generate"], app, timeout=120)
    generated = (app / "src" / "generated.ts").read_text()
    constants = re.findall(r"export const (\w+Abi) = ", generated)
    production, _ = contract_types()
    assert sorted(constants) == sorted(const_name(name) for name in production)
    assert "useReadRewardPoolEarned" in generated  # the react plugin's hooks were generated
