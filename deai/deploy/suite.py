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

from deai.deploy.config import ConfigError, SuiteConfig
from deai.deploy.contracts import abi_json, container, create_address
from deai.deploy.emission import BUCKET_NAMES, MANAGED, STAKING, PoolSpec, pool_args
from deai.deploy.manifest import Manifest, checked_address, json_value, manifest_address
from deai.deploy.lens import lens_step
from deai.deploy.marketplace import CONTRACT as MARKETPLACE
from deai.deploy.marketplace import RELAY
from deai.deploy.provenance import CONTRACT as PROVENANCE
from deai.deploy.rewards import COMPUTE
from deai.deploy.rewards import CONTRACT as REWARDS

from deai.deploy.verify import (FRESH, Creation, DeploymentError, StateCheck, check_creation, check_state, code_hash,
                               creation_code)

MARKET_MOCK_TOKEN = "MarketStakeToken"
MOCK_STAKE_DECIMALS = 6  # the local mock stake token (USDC-like)
DECIMALS = "0x313ce567"  # decimals()
DEPLOY_TIME = "@deployTime"  # context key: the head timestamp when the step's arguments were first computed
ZERO = "0x" + "00" * 20


@dataclass(frozen=True)
class DeployStep:
    key: str
    contract: str
    # constructor args from the addresses deployed so far and those the next deploy steps will get (see Executor)
    args: Callable[[dict[str, str]], tuple[Any, ...]]
    # before sending: (deployed instances, this step's address) -> raises DeploymentError if it must not be sent
    precheck: Callable[[dict[str, Any], str], None] | None = None
    # the configured state the deployed contract must keep (checked when kept or recovered, and after the run)
    state: tuple[StateCheck, ...] = ()


@dataclass(frozen=True)
class CallStep:
    key: str
    done: Callable[[dict[str, Any]], bool]  # reads the chain: is this wiring already in place?
    send: Callable[[dict[str, Any], Any], Any]  # (instances, sender) -> receipt


Step = DeployStep | CallStep


def build_plan(config: SuiteConfig, deployer: str) -> list[Step]:
    """Every contract of the suite in dependency order, then the wiring between them: provenance; the marketplace
    (its ProviderRegistry feeds ComputeRewards); the emission (token, pools, ComputeRewards, splitter, from
    consecutive nonces: no call step in between, so each is built for the splitter's predicted address); then the
    marketplace's wiring (payment tokens, `registry.setRewards`, the ownership offer to its admin) and the lens."""
    plan: list[Step] = [DeployStep(PROVENANCE, PROVENANCE, lambda _: config.provenance.constructor_args())]
    if config.marketplace is not None:
        plan += _marketplace_steps(config, deployer)
    if config.emission is not None:
        plan += _emission_steps(config, deployer)
    if config.marketplace is not None:
        plan += _marketplace_wiring(config, deployer)
        plan.append(lens_step())
    return plan


def has_rewards(config: SuiteConfig) -> bool:
    """Whether the Compute bucket's recipient is a ComputeRewards contract the plan deploys."""
    return config.emission is not None and config.emission.recipients[COMPUTE].rewards is not None


def stake_decimals(config: SuiteConfig, deployer: str) -> int:
    """The marketplace's stake token's decimals: the local mock's, or what the configured token answers (check_tokens
    has checked it answers decimals())."""
    if config.marketplace.stake_token == "mock":
        return MOCK_STAKE_DECIMALS
    from ape import chain

    address = resolve_address(config.marketplace.stake_token, deployer, "marketplace.stake_token")
    decimals = token_decimals(address)
    if decimals is None:
        raise ConfigError(f"marketplace.stake_token: {address} does not answer decimals() as an ERC-20 on chain "
                          f"{chain.chain_id}; check the address")
    return decimals


def token_decimals(address: str) -> int | None:
    """What `address` answers to decimals() on the connected chain; None unless it answers as an ERC-20 (one word,
    at most 255)."""
    from ape import chain

    try:
        answer = bytes(chain.provider.web3.eth.call({"to": address, "data": DECIMALS}))
    except Exception:  # noqa: BLE001 - a revert or a node error: not an ERC-20 we can use
        return None
    value = int.from_bytes(answer, "big")
    return value if len(answer) == 32 and value <= 255 else None


def registry_address(market: str) -> str:
    """The ProviderRegistry the marketplace's constructor creates first (its CREATE nonce 1)."""
    return create_address(market, 1)


def resolve_address(value: str, deployer: str, what: str) -> str:
    """'deployer' or a non-zero EIP-55 checksummed address; anything else (a REPLACE_WITH_... placeholder, a
    lowercase or mistyped address, the zero address) is a config error."""
    if value == "deployer":
        return deployer
    problem = checked_address(value)
    if problem:
        raise ConfigError(f"{what}: {value!r} {problem} (write a checksummed 0x address or 'deployer')")
    return value


def _emission_steps(config: SuiteConfig, deployer: str) -> list[Step]:
    emission = config.emission
    params = emission.params
    governance = resolve_address(emission.governance, deployer, "emission.governance")
    guardian = resolve_address(emission.guardian, deployer, "emission.guardian")
    steps: list[Step] = []
    pools: dict[int, str] = {}  # bucket -> manifest key
    if any(r.deposit_token == "mock" for r in emission.recipients):
        if not is_local(config):
            raise ConfigError("emission: a 'mock' deposit_token is only for local chains; write the LP token's address")
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

            def spec(addresses, deposit=deposit, recipient=recipient):
                return PoolSpec(STAKING, deposit_token=addresses["EmissionLPToken"] if deposit == "mock" else deposit,
                                min_stake=recipient.min_stake, withdraw_lock=recipient.withdraw_lock,
                                claim_lock_after_stake=recipient.claim_lock_after_stake,
                                claim_lock_after_claim=recipient.claim_lock_after_claim)
        else:
            manager = resolve_address(recipient.manager, deployer, f"emission.recipients[{bucket}].manager")

            def spec(addresses, manager=manager, recipient=recipient):
                return PoolSpec(MANAGED, manager=manager, claim_lock_after_claim=recipient.claim_lock_after_claim)
        steps.append(DeployStep(key, "RewardPool", lambda a, bucket=bucket, spec=spec: pool_args(
            a["EmissionSplitter"], a["EmissionToken"], bucket, spec(a))))

    rewards = emission.recipients[COMPUTE].rewards
    if rewards is not None:
        pools[COMPUTE] = REWARDS

        def rewards_args(addresses):
            start = addresses[DEPLOY_TIME] if emission.start == "deploy" else emission.start
            return rewards.constructor_args(addresses["EmissionSplitter"], addresses["EmissionToken"],
                                            registry_address(addresses[MARKETPLACE]), start,
                                            stake_decimals(config, deployer))

        def reports_come_from_the_registry(instances: dict[str, Any], address: str) -> None:
            market = instances[MARKETPLACE]
            if market.registry() != registry_address(market.address):
                raise DeploymentError(f"{REWARDS}: the marketplace's ProviderRegistry is {market.registry()}, not the "
                                      f"address its first CREATE gives ({registry_address(market.address)}); update "
                                      "deai.deploy.suite.registry_address to the marketplace's constructor")

        steps.append(DeployStep(REWARDS, REWARDS, rewards_args, reports_come_from_the_registry,
                                (StateCheck("registry.rewards() (set by the plan's setRewards)", _reported_to,
                                            "this contract", lambda v: v[0] == v[1], after_wiring=True),)))

    def splitter_args(addresses):
        start = addresses[DEPLOY_TIME] if emission.start == "deploy" else emission.start
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
                    "sent another transaction in between); remove EmissionToken, the RewardPool entries and "
                    f"{REWARDS} from the manifest and run again")

    state = (owner_check(governance, deployer), StateCheck("guardian", lambda c: c.guardian(), guardian))
    steps.append(DeployStep("EmissionSplitter", "EmissionSplitter", splitter_args, built_for_this_splitter, state))
    return steps


def _reported_to(rewards: Any) -> tuple[str, str]:
    """(the registry's rewards contract, this one): equal once the plan's setRewards step ran."""
    from deai.deploy.contracts import contract_at

    return contract_at("ProviderRegistry", rewards.reporter(), rewards).rewards(), rewards.address


def payment_tokens(config: SuiteConfig, deployer: str) -> list[str | None]:
    """The marketplace's configured payment tokens; None stands for the stake token."""
    return [None if entry == "stake" else resolve_address(entry, deployer, f"marketplace.payment_tokens[{i}]")
            for i, entry in enumerate(config.marketplace.payment_tokens)]


def external_tokens(config: SuiteConfig, deployer: str) -> list[tuple[str, str]]:
    """(config key, address) of every token the configuration names by address (mocks are deployed by the plan)."""
    tokens: list[tuple[str, str]] = []
    if config.emission is not None:
        for bucket, r in enumerate(config.emission.recipients):
            if r.pool == "staking" and r.deposit_token != "mock":
                what = f"emission.recipients[{bucket}].deposit_token"
                tokens.append((what, resolve_address(r.deposit_token, deployer, what)))
    if config.marketplace is not None:
        if config.marketplace.stake_token != "mock":
            tokens.append(("marketplace.stake_token",
                           resolve_address(config.marketplace.stake_token, deployer, "marketplace.stake_token")))
        tokens += [(f"marketplace.payment_tokens[{i}]", t) for i, t in enumerate(payment_tokens(config, deployer)) if t]
    return tokens


def resolved_addresses(config: SuiteConfig, deployer: str) -> list[tuple[str, str]]:
    """(config key, address) of every address the configuration sets, 'deployer' resolved; for the confirmation."""
    out: list[tuple[str, str]] = [("deployer", deployer)]
    if config.emission is not None:
        e = config.emission
        out += [(k, resolve_address(v, deployer, k)) for k, v in
                (("emission.governance", e.governance), ("emission.guardian", e.guardian))]
        for b, r in enumerate(e.recipients):
            if r.address is not None:
                out.append((f"emission.recipients[{b}]", resolve_address(r.address, deployer, f"emission.recipients[{b}]")))
            if r.manager is not None:
                what = f"emission.recipients[{b}].manager"
                out.append((what, resolve_address(r.manager, deployer, what)))
    if config.marketplace is not None:
        m = config.marketplace
        out += [(k, resolve_address(v, deployer, k)) for k, v in
                (("marketplace.treasury", m.treasury), ("marketplace.arbiter", m.arbiter), ("marketplace.admin", m.admin))]
    return out + external_tokens(config, deployer)


def owner_check(owner: str, deployer: str) -> StateCheck:
    """Ownable2Step ownership as configured: `owner` owns it with no transfer pending, or the deployer still owns it
    with nothing or `owner` pending (before the plan's transferOwnership step, or until `owner` accepts)."""

    def read(contract: Any) -> tuple[str, str]:
        return contract.owner(), contract.pendingOwner()

    def accept(value: tuple[str, str]) -> bool:
        current, pending = value
        return (current == owner and pending == ZERO) or (current == deployer and pending in (ZERO, owner))

    return StateCheck("owner (pending owner)", read, owner, accept)


def is_local(config: SuiteConfig) -> bool:
    return set(config.chain_ids) <= {31337, 1337}


def _marketplace_steps(config: SuiteConfig, deployer: str) -> list[Step]:
    """Stake token (a mock on local chains), the ResultProvenanceRelay (built for the marketplace's predicted
    address and the plan's ProvenanceRegistry, deployed first) and the marketplace, deployed with the deployer as
    admin so it can allow the payment tokens and set the rewards contract (`_marketplace_wiring`, after the
    emission)."""
    market = config.marketplace
    treasury = resolve_address(market.treasury, deployer, "marketplace.treasury")
    arbiter = resolve_address(market.arbiter, deployer, "marketplace.arbiter")
    admin = resolve_address(market.admin, deployer, "marketplace.admin")
    steps: list[Step] = []
    if market.stake_token == "mock":
        if not is_local(config):
            raise ConfigError("marketplace.stake_token: 'mock' is only for local chains; write the stablecoin's address")
        steps.append(DeployStep(MARKET_MOCK_TOKEN, "MockERC20", lambda _: ("Mock USD", "mUSD", MOCK_STAKE_DECIMALS)))
        stake = None
    else:
        stake = resolve_address(market.stake_token, deployer, "marketplace.stake_token")

    def stake_address(addresses: dict[str, str]) -> str:
        return stake or addresses[MARKET_MOCK_TOKEN]

    payment = payment_tokens(config, deployer)
    rates = [market.collateral_rates[i] if i < len(market.collateral_rates) else 10**18 for i in range(len(payment))]
    state = (
        owner_check(admin, deployer),
        StateCheck("feeBps", lambda m: m.feeBps(), market.params.fee_bps),
        StateCheck("treasury", lambda m: m.treasury(), treasury),
        StateCheck("arbiter", lambda m: m.arbiter(), arbiter),
        *(StateCheck(f"isTokenAllowed({token or 'stake token'})", lambda m, t=token: m.isTokenAllowed(t or m.stakeToken()),
                     True, after_wiring=True) for token in payment),
        *(StateCheck(f"collateralRate({token or 'stake token'})", lambda m, t=token: m.collateralRate(t or m.stakeToken()),
                     rate, after_wiring=True) for token, rate in zip(payment, rates)),
    )
    # the relay is built for the marketplace deployed right after it (its predicted address), the marketplace trusts
    # the relay's address (an immutable): no wiring transaction
    steps.append(DeployStep(RELAY, RELAY, lambda addresses: (addresses[MARKETPLACE], addresses[PROVENANCE]),
                            state=(StateCheck("registry", lambda r: r.registry(), "the plan's ProvenanceRegistry",
                                              lambda v: v != ZERO),)))
    steps.append(DeployStep(MARKETPLACE, MARKETPLACE, lambda addresses: market.params.constructor_args(
        stake_address(addresses), treasury, arbiter, deployer, addresses[RELAY]), precheck=_relay_built_for_it,
        state=state))
    return steps


def _relay_built_for_it(instances: dict[str, Any], address: str) -> None:
    """The ResultProvenanceRelay (deployed just before) names this marketplace's address."""
    built_for = instances[RELAY].market()
    if built_for != address:
        raise DeploymentError(f"{MARKETPLACE} would deploy at {address}, but {RELAY} was built for {built_for} (the "
                              f"deployer sent another transaction in between); remove {RELAY} from the manifest and "
                              "run again")


def _marketplace_wiring(config: SuiteConfig, deployer: str) -> list[Step]:
    """The payment tokens allowed, the ProviderRegistry's rewards contract set (once, by the marketplace's owner,
    so before ownership leaves the deployer), then ownership offered to the configured admin (who completes it
    with acceptOwnership)."""
    market = config.marketplace
    admin = resolve_address(market.admin, deployer, "marketplace.admin")
    payment = payment_tokens(config, deployer)
    rates = [market.collateral_rates[i] if i < len(market.collateral_rates) else 10**18 for i in range(len(payment))]
    steps: list[Step] = []
    for index, (fixed, rate) in enumerate(zip(payment, rates)):

        def token_address(c: dict[str, Any], fixed: str | None = fixed) -> str:
            return fixed or c[MARKETPLACE].stakeToken()

        steps.append(CallStep(
            f"{MARKETPLACE}.setPaymentToken[{index}]",
            done=lambda c, token_address=token_address, rate=rate: (
                c[MARKETPLACE].isTokenAllowed(token_address(c))
                and c[MARKETPLACE].collateralRate(token_address(c)) == rate),
            send=lambda c, sender, token_address=token_address, rate=rate: c[MARKETPLACE].setPaymentToken(
                token_address(c), True, rate, sender=sender),
        ))
    if has_rewards(config):
        steps.append(CallStep("ProviderRegistry.setRewards", done=_rewards_set, send=lambda c, sender: _registry(
            c).setRewards(c[REWARDS], sender=sender)))
    if admin != deployer:
        steps.append(CallStep(
            f"{MARKETPLACE}.transferOwnership",
            done=lambda c: admin in (c[MARKETPLACE].owner(), c[MARKETPLACE].pendingOwner()),
            send=lambda c, sender: c[MARKETPLACE].transferOwnership(admin, sender=sender),
        ))
    return steps


def _registry(instances: dict[str, Any]) -> Any:
    from deai.deploy.marketplace import registry_of

    return registry_of(instances[MARKETPLACE])


def _rewards_set(instances: dict[str, Any]) -> bool:
    """The registry reports to this plan's ComputeRewards; another one (it is set once) stops the run."""
    current, ours = _registry(instances).rewards(), instances[REWARDS].address
    if current not in (ZERO, ours):
        raise DeploymentError(f"ProviderRegistry.setRewards: the registry already reports to {current}, not to "
                              f"{REWARDS} {ours} (it is set once): redeploy the marketplace with a fresh manifest")
    return current == ours


@dataclass
class Outcome:
    key: str
    action: str  # "deployed", "kept", "recovered", "sent", "in place", "would deploy", "would send"
    address: str = ""
    gas: int = 0


class Executor:
    """Carries out a plan against the connected chain, recording progress in a manifest that belongs to one
    deployer. Every contract it keeps or recovers is checked to be exactly what this run would deploy
    (deai.deploy.verify); in a dry run nothing is written, on disk or on chain."""

    def __init__(self, plan: list[Step], manifest: Manifest, sender: Any, log: Callable[[str], None] = print,
                 config_source: str = "the configuration"):
        from ape import chain

        self.chain = chain
        self.web3 = chain.provider.web3
        self.plan = plan
        self.manifest = manifest
        self.sender = sender
        self.log = log
        self.config_source = config_source
        self.where = manifest.path.name if manifest.path else "the manifest"
        self.instances: dict[str, Any] = {}
        self.planned: dict[str, str] = {}  # dry run: predicted addresses of what would be deployed
        self.adopted: dict[str, str] = {}  # dry run: mined contracts of an intent that a real run would record

    # ------------------------------------------------------------------ public
    def run(self, dry_run: bool = False) -> list[Outcome]:
        self._check_owner()
        outcomes = [self._run_step(index, dry_run) for index in range(len(self.plan))]
        if not dry_run:
            for step in self.plan:
                if isinstance(step, DeployStep):
                    check_state(step.key, self.instances[step.key], step.state, self.config_source, wired=True)
        return outcomes

    def addresses(self) -> dict[str, str]:
        return {**self.planned, **self.adopted, **{key: record["address"] for key, record in self.manifest.contracts.items()}}

    def _check_owner(self) -> None:
        """A manifest belongs to the account that started it; its intents too."""
        me = self.sender.address
        if not self.manifest.deployer:
            self.manifest.deployer = me
        if self.manifest.deployer != me:
            raise DeploymentError(
                f"{self.where} belongs to deployer {self.manifest.deployer}, not {me}: run with that account to "
                f"resume, or pass {FRESH} to start a new deployment from {me}")
        for key, intent in self.manifest.pending.items():
            if intent.get("sender") != me:
                raise DeploymentError(f"{key}: {self.where} holds an intent of {intent.get('sender')}, not of its "
                                      f"deployer {me}; restore it from a trusted copy, or pass {FRESH}")

    # ------------------------------------------------------------------ steps
    def _run_step(self, index: int, dry_run: bool) -> Outcome:
        step = self.plan[index]
        if isinstance(step, CallStep):
            return self._run_call(step, dry_run)
        return self._run_deploy(step, index, dry_run)

    def _mined_nonce(self) -> int:
        return int(self.web3.eth.get_transaction_count(self.sender.address, "latest"))

    def _next_nonce(self) -> int:
        """The nonce the next deployment takes; a dry run sends nothing, so what it planned counts."""
        return self._mined_nonce() + len(self.planned)

    def _context(self, index: int, nonce: int, timestamp: int) -> dict[str, Any]:
        """What plan[index]'s arguments are computed from when it takes `nonce`: the addresses recorded so far, the
        addresses the deploy steps after it take (the nonces after `nonce`, up to the next call step, which may
        send a transaction of its own; the emission token and pools are built for the splitter deployed after them
        this way), and the deployment time."""
        future: dict[str, Any] = {}
        for step in self.plan[index + 1:]:
            if isinstance(step, CallStep):
                break
            nonce += 1
            future[step.key] = create_address(self.sender.address, nonce)
        return {**future, **self.addresses(), DEPLOY_TIME: timestamp}

    def _run_call(self, step: CallStep, dry_run: bool) -> Outcome:
        # In a dry run, wiring that involves a contract not deployed yet is necessarily still to be sent.
        if dry_run and len(self.instances) < sum(isinstance(s, DeployStep) for s in self.plan):
            return Outcome(step.key, "would send")
        if step.done(self.instances):
            return Outcome(step.key, "in place")
        if dry_run:
            return Outcome(step.key, "would send")
        from ape.exceptions import ContractLogicError

        try:
            receipt = step.send(self.instances, self.sender)
        except ContractLogicError as err:
            raise DeploymentError(f"{step.key}: the transaction reverted ({type(err).__name__} "
                                  f"{str(err).splitlines()[0] if str(err) else ''}); check that {self.sender.address} "
                                  "still administers the contract") from None
        return Outcome(step.key, "sent", gas=int(receipt.gas_used))

    def _run_deploy(self, step: DeployStep, index: int, dry_run: bool) -> Outcome:
        factory = container(step.contract)
        if (record := self.manifest.contracts.get(step.key)) is not None:
            address = self._check_recorded(step, index, factory, record)
            record["abi"] = abi_json(step.contract)
            self.instances[step.key] = factory.at(address)
            check_state(step.key, self.instances[step.key], step.state, self.config_source, wired=False)
            return Outcome(step.key, "kept", address)
        if (intent := self.manifest.pending.get(step.key)) is not None:
            recovered = self._recover(step, index, factory, intent, dry_run)
            if recovered is not None:
                return recovered
        timestamp = int(self.chain.blocks.head.timestamp)
        nonce = self._next_nonce()
        args = step.args(self._context(index, nonce, timestamp))
        if dry_run:
            predicted = create_address(self.sender.address, nonce)
            self.planned[step.key] = predicted
            return Outcome(step.key, "would deploy", predicted, self._estimate(factory, args))
        return self._deploy(step, factory, args, nonce, timestamp)

    def _expected_init(self, step: DeployStep, index: int, factory: Any, nonce: int, timestamp: int) -> bytes:
        return creation_code(factory, step.args(self._context(index, nonce, timestamp)))

    def _check_recorded(self, step: DeployStep, index: int, factory: Any, record: dict[str, Any]) -> str:
        fix = f"restore {self.where} from a trusted copy, or start a fresh one with {FRESH}"
        address = manifest_address(record.get("address"), f"{step.key}.address", self.where)
        if not isinstance(record.get("nonce"), int) or not isinstance(record.get("deployTime"), int):
            raise DeploymentError(f"{step.key}: {self.where} records no nonce or deployTime for {address}; {fix}")
        init = self._expected_init(step, index, factory, record["nonce"], record["deployTime"])
        check_creation(self.web3, Creation(step.key, step.contract, address, record.get("transactionHash"),
                                           record["nonce"]), self.manifest.deployer, factory, init, self.where)
        return address

    def _recover(self, step: DeployStep, index: int, factory: Any, intent: dict[str, Any],
                 dry_run: bool) -> Outcome | None:
        """A run stopped after recording an intent: adopt the contract if it is exactly the intended one, re-send at
        the intent's nonce while that nonce is unused, and drop the intent only once its nonce is provably used by
        something else (mined, and no code at its address)."""
        nonce = intent.get("nonce")
        if not isinstance(nonce, int) or not isinstance(intent.get("deployTime"), int):
            raise DeploymentError(f"{step.key}: {self.where} holds a malformed intent; restore it from a trusted "
                                  f"copy, or start a fresh one with {FRESH}")
        predicted = create_address(self.manifest.deployer, nonce)
        if intent.get("predictedAddress") != predicted:
            raise DeploymentError(
                f"{step.key}: the intent's address {intent.get('predictedAddress')} is not the address the deployer's "
                f"nonce {nonce} creates ({predicted}); restore {self.where} from a trusted copy, or pass {FRESH}")
        if self.web3.eth.get_code(predicted):
            tx_hash, block = self._find_deployment(nonce, int(intent.get("fromBlock", 0)))
            init = self._expected_init(step, index, factory, nonce, intent["deployTime"])
            check_creation(self.web3, Creation(step.key, step.contract, predicted, tx_hash, nonce),
                           self.manifest.deployer, factory, init, self.where)
            if dry_run:
                self.instances[step.key] = factory.at(predicted)
                self.adopted[step.key] = predicted  # mined already: it takes no future nonce
                return Outcome(step.key, "would recover", predicted)
            self._record(step, predicted, tx_hash, block, nonce, intent["deployTime"], intent["constructorArgs"])
            check_state(step.key, self.instances[step.key], step.state, self.config_source, wired=False)
            self.log(f"{step.key}: recovered {predicted}, deployed by an interrupted run")
            return Outcome(step.key, "recovered", predicted)
        mined = self._mined_nonce()
        if mined < nonce:
            raise DeploymentError(f"{step.key}: the deployer's mined nonce {mined} is behind the intent's nonce {nonce}"
                                  " (an earlier transaction is still pending); wait until it is mined and run again")
        if mined > nonce and not dry_run:  # nonce used by another transaction or a failed creation
            del self.manifest.pending[step.key]
            self.log(f"{step.key}: nonce {nonce} was used by another transaction; deploying afresh")
        return None  # mined == nonce: unused, the deployment is re-sent with it

    def _find_deployment(self, nonce: int, from_block: int) -> tuple[str | None, int | None]:
        """The deployer's transaction with `nonce`: the first block after which its nonce count exceeds `nonce`
        (binary search over blocks), then that block's transactions."""
        sender = self.manifest.deployer
        low, high = max(0, from_block), int(self.chain.blocks.height)
        if self.web3.eth.get_transaction_count(sender, high) <= nonce:
            return None, None
        while low < high:
            mid = (low + high) // 2
            if self.web3.eth.get_transaction_count(sender, mid) > nonce:
                high = mid
            else:
                low = mid + 1
        for tx in self.web3.eth.get_block(low, full_transactions=True)["transactions"]:
            if tx["from"] == sender and tx["nonce"] == nonce:
                return tx["hash"].to_0x_hex(), low
        return None, None

    def _estimate(self, factory: Any, args: tuple[Any, ...]) -> int:
        """Estimated deployment gas; 0 when the constructor reads a contract that is itself only planned."""
        data = "0x" + creation_code(factory, args).hex()
        try:
            return int(self.web3.eth.estimate_gas({"from": self.sender.address, "data": data}))
        except Exception:  # noqa: BLE001 - any node error means "cannot estimate yet"
            return 0

    def _deploy(self, step: DeployStep, factory: Any, args: tuple[Any, ...], nonce: int, timestamp: int) -> Outcome:
        predicted = create_address(self.sender.address, nonce)
        if step.precheck is not None:
            step.precheck(self.instances, predicted)
        self.manifest.pending[step.key] = {
            "sender": self.sender.address, "nonce": nonce, "predictedAddress": predicted,
            "fromBlock": int(self.chain.blocks.height), "deployTime": timestamp, "constructorArgs": json_value(args),
        }
        self.manifest.save()
        instance = self.sender.deploy(factory, *args, nonce=nonce)
        receipt = instance.creation_metadata.receipt if instance.creation_metadata else None
        tx_hash = receipt.txn_hash if receipt else None
        block = receipt.block_number if receipt else None
        if instance.address != predicted:
            raise DeploymentError(f"{step.key}: deployed at {instance.address}, expected {predicted} (another "
                                  "transaction of the account took the nonce); run again to resume")
        self._record(step, instance.address, tx_hash, block, nonce, timestamp, json_value(args))
        self.instances[step.key] = instance
        self.log(f"{step.key}: deployed at {instance.address}")
        return Outcome(step.key, "deployed", instance.address, int(receipt.gas_used) if receipt else 0)

    def _record(self, step: DeployStep, address: str, tx_hash: str | None, block: int | None, nonce: int,
                timestamp: int, args: list) -> None:
        if tx_hash is not None and not str(tx_hash).startswith("0x"):
            tx_hash = "0x" + str(tx_hash)
        block_hash = self.web3.eth.get_block(block)["hash"].to_0x_hex() if block is not None else None
        self.manifest.contracts[step.key] = {
            "contract": step.contract, "address": address, "nonce": nonce, "transactionHash": tx_hash,
            "blockNumber": block, "blockHash": block_hash, "deployTime": timestamp,
            "codeHash": code_hash(bytes(self.web3.eth.get_code(address))), "constructorArgs": args,
            "abi": abi_json(step.contract),
        }
        self.manifest.pending.pop(step.key, None)
        self.manifest.save()
        self.instances.setdefault(step.key, container(step.contract).at(address))
