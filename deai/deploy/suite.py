"""The whole suite as an ordered plan of steps, and the resumable executor that carries it out.

Deploy steps are idempotent: a recorded contract whose on-chain code matches is kept, a recorded one that does
not match stops the run (never silently replaced), and a deployment's intent (sender, nonce, predicted address) is
written before it is sent, so a run killed at any point resumes without deploying anything twice. Reusing the
intent's nonce when re-sending makes a double deployment impossible even if the first transaction is still
pending. Call steps (wiring) check the chain first and send only what is not yet in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from eth_utils import to_checksum_address

from deai.deploy.bytecode import code_matches
from deai.deploy.config import ConfigError, SuiteConfig
from deai.deploy.contracts import abi_json, container, create_address
from deai.deploy.emission import BUCKET_NAMES, MANAGED, STAKING, PoolSpec, pool_args
from deai.deploy.manifest import Manifest
from deai.deploy.marketplace import CONTRACT as MARKETPLACE
from deai.deploy.provenance import CONTRACT as PROVENANCE

MARKET_MOCK_TOKEN = "MarketStakeToken"


class DeploymentError(RuntimeError):
    """The chain and the manifest disagree in a way a re-run must not paper over."""


@dataclass(frozen=True)
class DeployStep:
    key: str
    contract: str
    # constructor args from the addresses deployed so far and those the next deploy steps will get (see Executor)
    args: Callable[[dict[str, str]], tuple[Any, ...]]
    # before sending: (deployed instances, this step's address) -> raises DeploymentError if it must not be sent
    precheck: Callable[[dict[str, Any], str], None] | None = None


@dataclass(frozen=True)
class CallStep:
    key: str
    done: Callable[[dict[str, Any]], bool]  # reads the chain: is this wiring already in place?
    send: Callable[[dict[str, Any], Any], Any]  # (instances, sender) -> receipt


Step = DeployStep | CallStep


def build_plan(config: SuiteConfig, deployer: str) -> list[Step]:
    """Every contract of the suite in dependency order, then the wiring between them."""
    plan: list[Step] = [DeployStep(PROVENANCE, PROVENANCE, lambda _: config.provenance.constructor_args())]
    if config.emission is not None:
        plan += _emission_steps(config, deployer)
    if config.marketplace is not None:
        plan += _marketplace_steps(config, deployer)
    return plan


def resolve_address(value: str, deployer: str, what: str) -> str:
    """'deployer' or a hex address; anything else (such as a REPLACE_WITH_... placeholder) is a config error."""
    if value == "deployer":
        return deployer
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        try:
            return to_checksum_address(value)
        except ValueError:
            pass
    raise ConfigError(f"{what}: {value!r} is not an address (use a 0x address or 'deployer')")


def _emission_steps(config: SuiteConfig, deployer: str) -> list[Step]:
    emission = config.emission
    params = emission.params
    governance = resolve_address(emission.governance, deployer, "emission.governance")
    guardian = resolve_address(emission.guardian, deployer, "emission.guardian")
    steps: list[Step] = []
    pools: dict[int, str] = {}  # bucket -> manifest key
    if any(r.deposit_token == "mock" for r in emission.recipients):
        if not _is_local(config):
            raise ConfigError("a 'mock' deposit token is only for local chains")
        steps.append(DeployStep("EmissionLPToken", "MockERC20", lambda _: ("Mock LP", "MLP", 18)))
    # The token and the pools are built for the splitter deployed right after them (its predicted address): the
    # minter and the pools' splitter are immutables, so no wiring transaction and no setter exist.
    steps.append(DeployStep("EmissionToken", "EmissionToken", lambda a: params.token_args(a["EmissionSplitter"])))
    for bucket, recipient in enumerate(emission.recipients):
        if recipient.pool is None:
            continue
        key = f"RewardPool{BUCKET_NAMES[bucket]}"
        pools[bucket] = key
        if recipient.pool == "staking":
            deposit = recipient.deposit_token
            if deposit != "mock":
                deposit = resolve_address(deposit, deployer, f"emission.recipients[{bucket}].deposit_token")

            def spec(addresses, deposit=deposit):
                return PoolSpec(STAKING, deposit_token=addresses["EmissionLPToken"] if deposit == "mock" else deposit)
        else:
            manager = resolve_address(recipient.manager, deployer, f"emission.recipients[{bucket}].manager")

            def spec(addresses, manager=manager):
                return PoolSpec(MANAGED, manager=manager)
        steps.append(DeployStep(key, "RewardPool", lambda a, bucket=bucket, spec=spec: pool_args(
            a["EmissionSplitter"], a["EmissionToken"], bucket, spec(a))))

    def splitter_args(addresses):
        from ape import chain

        start = chain.blocks.head.timestamp if emission.start == "deploy" else emission.start
        recipients = [
            addresses[pools[b]] if b in pools else resolve_address(r.address, deployer, f"emission.recipients[{b}]")
            for b, r in enumerate(emission.recipients)
        ]
        return params.splitter_args(addresses["EmissionToken"], start, recipients, governance, guardian)

    def built_for_this_splitter(instances: dict[str, Any], address: str) -> None:
        built_for = {"EmissionToken": instances["EmissionToken"].minter()}
        built_for.update({key: instances[key].splitter() for key in pools.values()})
        for key, expected in built_for.items():
            if expected != address:
                raise DeploymentError(
                    f"EmissionSplitter would deploy at {address}, but {key} was built for {expected} (the deployer "
                    "sent another transaction in between); remove EmissionToken and the RewardPool entries from the "
                    "manifest and run again")

    steps.append(DeployStep("EmissionSplitter", "EmissionSplitter", splitter_args, built_for_this_splitter))
    return steps


def _is_local(config: SuiteConfig) -> bool:
    return set(config.chain_ids) <= {31337, 1337}


def _marketplace_steps(config: SuiteConfig, deployer: str) -> list[Step]:
    """Stake token (a mock on local chains), the marketplace deployed with the deployer as admin so it can allow
    the payment tokens, then ownership offered to the configured admin (who completes it with acceptOwnership)."""
    market = config.marketplace
    treasury = resolve_address(market.treasury, deployer, "marketplace.treasury")
    arbiter = resolve_address(market.arbiter, deployer, "marketplace.arbiter")
    admin = resolve_address(market.admin, deployer, "marketplace.admin")
    steps: list[Step] = []
    if market.stake_token == "mock":
        if not _is_local(config):
            raise ConfigError("a 'mock' stake token is only for local chains")
        steps.append(DeployStep(MARKET_MOCK_TOKEN, "MockERC20", lambda _: ("Mock USD", "mUSD", 6)))
        stake = None
    else:
        stake = resolve_address(market.stake_token, deployer, "marketplace.stake_token")

    def stake_address(addresses: dict[str, str]) -> str:
        return stake or addresses[MARKET_MOCK_TOKEN]

    steps.append(DeployStep(MARKETPLACE, MARKETPLACE, lambda addresses: market.params.constructor_args(
        stake_address(addresses), treasury, arbiter, deployer)))
    for index, entry in enumerate(market.payment_tokens):
        fixed = None if entry == "stake" else resolve_address(entry, deployer, f"marketplace.payment_tokens[{index}]")

        def token_address(c: dict[str, Any], fixed: str | None = fixed) -> str:
            return fixed or c[MARKETPLACE].stakeToken()

        rate = market.collateral_rates[index] if index < len(market.collateral_rates) else 10**18

        steps.append(CallStep(
            f"{MARKETPLACE}.setPaymentToken[{index}]",
            done=lambda c, token_address=token_address: c[MARKETPLACE].isTokenAllowed(token_address(c)),
            send=lambda c, sender, token_address=token_address, rate=rate: c[MARKETPLACE].setPaymentToken(
                token_address(c), True, rate, sender=sender),
        ))
    if admin != deployer:
        steps.append(CallStep(
            f"{MARKETPLACE}.transferOwnership",
            done=lambda c: admin in (c[MARKETPLACE].owner(), c[MARKETPLACE].pendingOwner()),
            send=lambda c, sender: c[MARKETPLACE].transferOwnership(admin, sender=sender),
        ))
    return steps


@dataclass
class Outcome:
    key: str
    action: str  # "deployed", "kept", "recovered", "sent", "in place", "would deploy", "would send"
    address: str = ""
    gas: int = 0


class Executor:
    """Carries out a plan against the connected chain, recording progress in a manifest."""

    def __init__(self, plan: list[Step], manifest: Manifest, sender: Any, log: Callable[[str], None] = print):
        from ape import chain

        self.chain = chain
        self.plan = plan
        self.manifest = manifest
        self.sender = sender
        self.log = log
        self.instances: dict[str, Any] = {}
        self.planned: dict[str, str] = {}  # dry run: predicted addresses of what would be deployed

    # ------------------------------------------------------------------ public
    def run(self, dry_run: bool = False) -> list[Outcome]:
        if not self.manifest.deployer:
            self.manifest.deployer = self.sender.address
        return [self._run_step(index, dry_run) for index in range(len(self.plan))]

    def addresses(self) -> dict[str, str]:
        return {**self.planned, **{key: record["address"] for key, record in self.manifest.contracts.items()}}

    # ------------------------------------------------------------------ steps
    def _run_step(self, index: int, dry_run: bool) -> Outcome:
        step = self.plan[index]
        if isinstance(step, CallStep):
            return self._run_call(step, dry_run)
        return self._run_deploy(step, index, dry_run)

    def _next_nonce(self) -> int:
        """The nonce the next deployment takes; a dry run sends nothing, so what it planned counts."""
        return self.sender.nonce + len(self.planned)

    def _future_addresses(self, index: int) -> dict[str, str]:
        """Where the deploy steps after plan[index] will land, up to the next call step (which may send a
        transaction of its own): plan[index] takes the next nonce, and each later deployment the one after. The
        emission token and pools are built for the splitter deployed after them this way."""
        nonce = self._next_nonce()
        future: dict[str, str] = {}
        for step in self.plan[index + 1:]:
            if isinstance(step, CallStep):
                break
            nonce += 1
            future[step.key] = create_address(self.sender.address, nonce)
        return future

    def _run_call(self, step: CallStep, dry_run: bool) -> Outcome:
        # In a dry run, wiring that involves a contract not deployed yet is necessarily still to be sent.
        if dry_run and len(self.instances) < sum(isinstance(s, DeployStep) for s in self.plan):
            return Outcome(step.key, "would send")
        if step.done(self.instances):
            return Outcome(step.key, "in place")
        if dry_run:
            return Outcome(step.key, "would send")
        receipt = step.send(self.instances, self.sender)
        return Outcome(step.key, "sent", gas=int(receipt.gas_used))

    def _run_deploy(self, step: DeployStep, index: int, dry_run: bool) -> Outcome:
        factory = container(step.contract)
        compiled = bytes.fromhex(factory.contract_type.runtime_bytecode.bytecode.removeprefix("0x"))
        if (record := self.manifest.contracts.get(step.key)) is not None:
            self._verify(step, record["address"], compiled)
            record["abi"] = abi_json(step.contract)
            self.instances[step.key] = factory.at(record["address"])
            return Outcome(step.key, "kept", record["address"])
        if (intent := self.manifest.pending.get(step.key)) is not None:
            recovered = self._recover(step, intent, compiled)
            if recovered is not None:
                return recovered
        args = step.args({**self._future_addresses(index), **self.addresses()})
        if dry_run:
            predicted = create_address(self.sender.address, self._next_nonce())
            self.planned[step.key] = predicted
            return Outcome(step.key, "would deploy", predicted, self._estimate(factory, args))
        return self._deploy(step, factory, args)

    def _verify(self, step: DeployStep, address: str, compiled: bytes) -> None:
        code = bytes(self.chain.provider.get_code(address))
        if not code:
            raise DeploymentError(f"{step.key}: the manifest records {address}, which has no code on this chain")
        if not code_matches(compiled, code):
            raise DeploymentError(
                f"{step.key}: the code at {address} does not match the compiled {step.contract}; "
                "refusing to replace it (deploy to a fresh manifest, or remove the entry deliberately)"
            )

    def _recover(self, step: DeployStep, intent: dict[str, Any], compiled: bytes) -> Outcome | None:
        """A run stopped after recording an intent: adopt the contract if it was mined, else re-send at that nonce."""
        predicted = intent["predictedAddress"]
        if self.chain.provider.get_code(predicted):
            self._verify(step, predicted, compiled)
            tx_hash, block = self._find_deployment(intent)
            self._record(step, predicted, tx_hash, block, intent["constructorArgs"])
            self.log(f"{step.key}: recovered {predicted}, deployed by an interrupted run")
            return Outcome(step.key, "recovered", predicted)
        if intent["sender"] == self.sender.address and self.sender.nonce < intent["nonce"]:
            raise DeploymentError(f"{step.key}: account nonce {self.sender.nonce} is behind the recorded intent")
        # The nonce is still unused (re-send with it) or was used by a failed attempt (a fresh intent follows).
        del self.manifest.pending[step.key]
        return None

    def _find_deployment(self, intent: dict[str, Any]) -> tuple[str | None, int | None]:
        head = self.chain.blocks.height
        for number in range(intent["fromBlock"], head + 1):
            for tx in self.chain.provider.web3.eth.get_block(number, full_transactions=True)["transactions"]:
                if tx["from"] == intent["sender"] and tx["nonce"] == intent["nonce"]:
                    return tx["hash"].to_0x_hex(), number
        return None, None

    def _estimate(self, factory: Any, args: tuple[Any, ...]) -> int:
        """Estimated deployment gas; 0 when the constructor reads a contract that is itself only planned."""
        data = factory.contract_type.deployment_bytecode.bytecode + factory.constructor.encode_input(*args).hex()
        try:
            return int(self.chain.provider.web3.eth.estimate_gas({"from": self.sender.address, "data": data}))
        except Exception:  # noqa: BLE001 - any node error means "cannot estimate yet"
            return 0

    def _deploy(self, step: DeployStep, factory: Any, args: tuple[Any, ...]) -> Outcome:
        nonce = self.sender.nonce
        predicted = create_address(self.sender.address, nonce)
        if step.precheck is not None:
            step.precheck(self.instances, predicted)
        self.manifest.pending[step.key] = {
            "sender": self.sender.address, "nonce": nonce, "predictedAddress": predicted,
            "fromBlock": self.chain.blocks.height, "constructorArgs": list(args),
        }
        self.manifest.save()
        instance = self.sender.deploy(factory, *args, nonce=nonce)
        receipt = instance.creation_metadata.receipt if instance.creation_metadata else None
        tx_hash = receipt.txn_hash if receipt else None
        block = receipt.block_number if receipt else None
        if instance.address != predicted:
            raise DeploymentError(f"{step.key}: deployed at {instance.address}, expected {predicted}")
        self._record(step, instance.address, tx_hash, block, list(args))
        self.instances[step.key] = instance
        self.log(f"{step.key}: deployed at {instance.address}")
        return Outcome(step.key, "deployed", instance.address, int(receipt.gas_used) if receipt else 0)

    def _record(self, step: DeployStep, address: str, tx_hash: str | None, block: int | None, args: list) -> None:
        self.manifest.contracts[step.key] = {
            "contract": step.contract, "address": address, "transactionHash": tx_hash, "blockNumber": block,
            "constructorArgs": [a if isinstance(a, (int, str, bool)) else str(a) for a in args],
            "abi": abi_json(step.contract),
        }
        self.manifest.pending.pop(step.key, None)
        self.manifest.save()
        self.instances.setdefault(step.key, container(step.contract).at(address))
