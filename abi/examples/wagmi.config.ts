// wagmi CLI config for a dApp that installed @deai/contracts: `npx wagmi generate` writes typed hooks/actions.
// Type-checked (strict, nodenext) and run offline against the pinned @wagmi/cli 2.10.0 by
// tests/frontend/test_frontend_package.py (test_the_wagmi_example_config_type_checks_and_generates_each_abi_once).
// Every ABI appears once (`wagmiContracts`); the four reward pools share `rewardPoolAbi`, so their hooks take
// `address`, e.g. `useReadRewardPoolEarned({ address: addresses[chainId].RewardPoolCompute, args: [account] })`.
import { defineConfig } from "@wagmi/cli";
import { react } from "@wagmi/cli/plugins";
import { wagmiContracts } from "@deai/contracts";

export default defineConfig({
  out: "src/generated.ts",
  contracts: [...wagmiContracts],
  plugins: [react()],
});
