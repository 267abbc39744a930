// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IComputeMarketplace} from "../../marketplace/interfaces/IComputeMarketplace.sol";
import {IProviderRegistry} from "../../marketplace/interfaces/IProviderRegistry.sol";

/// @title ContractProvider
/// @notice Test double: a provider that is a contract, so it can accept a lease and close it in the same transaction
///         (a zero-duration lease) on any test chain.
contract ContractProvider {
    /// @notice Registers at `registry` and stakes `amount` of `stake` already held by this contract.
    function setUp(IProviderRegistry registry, IERC20 stake, uint256 amount) external {
        registry.registerProvider("ipfs://contract-provider");
        stake.approve(address(registry), amount);
        registry.depositStake(amount);
    }

    /// @notice Creates an offer of one second to a day at `price` in `token`.
    function offer(IComputeMarketplace market, address token, uint256 price) external returns (uint256) {
        return market.createOffer(token, price, 1, 86_400, bytes32(uint256(1)), "");
    }

    /// @notice Accepts `leaseId` and closes it at once.
    function acceptAndClose(IComputeMarketplace market, uint256 leaseId) external {
        market.acceptLease(leaseId);
        market.closeLease(leaseId);
    }
}
