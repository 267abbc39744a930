// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ComputeMarketplace} from "../../marketplace/ComputeMarketplace.sol";

/// @title MarketplaceOfferCountHarness
/// @notice Test double: a ComputeMarketplace whose offer counter can be moved to the edge of its 32-bit range, so the
///         offer-id bound is tested without creating four billion offers.
contract MarketplaceOfferCountHarness is ComputeMarketplace {
    constructor(
        IERC20 stakeToken_,
        address treasury_,
        address arbiter_,
        uint16 feeBps_,
        uint16 collateralBps_,
        uint64 acceptWindow_,
        uint64 disputeWindow_,
        uint64 arbitrationWindow_,
        uint64 unstakeCooldown_,
        uint64 holdback_,
        uint16 disputeBondBps_,
        address admin,
        address resultRelay_
    )
        ComputeMarketplace(
            stakeToken_,
            treasury_,
            arbiter_,
            feeBps_,
            collateralBps_,
            acceptWindow_,
            disputeWindow_,
            arbitrationWindow_,
            unstakeCooldown_,
            holdback_,
            disputeBondBps_,
            admin,
            resultRelay_
        )
    {}

    /// @notice Sets the number of offers created (test only).
    function setOfferCount(uint256 count) external {
        offerCount = count;
    }
}
