// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IComputeMarketplaceTypes} from "./interfaces/IComputeMarketplace.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ComputeMarketplace} from "./ComputeMarketplace.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @title MarketplaceLens
/// @notice Read-only paged views of a `ComputeMarketplace` for front ends: a page of offers (all, or one
///         provider's) and of leases (one client's, or one provider's) in one call instead of 1 + N.
///
/// Ids are 1-based: offers are numbered 1 ..= `offerCount()` and leases 1 ..= `leaseCount()` in creation order;
/// id 0 never exists. Every function reads only the marketplace's and its registry's external views, holds no
/// state and sends no transaction, so it can be redeployed at will and never touches funds.
///
/// Paging: a call examines at most `limit` consecutive ids from `fromId` (at most `MAX_LIMIT`) and returns the
/// entries among them that match, plus `nextId`, the id to pass as `fromId` for the next page (0 once the last
/// id has been examined). The work per call is bounded by `limit`, whatever the number of offers or leases.
/// The marketplace keeps no per-client or per-provider index, so the filtered views (`offersOf`, `leasesOfClient`,
/// `leasesOfProvider`) scan the id range: a page can hold fewer than `limit` entries, or none, while `nextId` is
/// not 0. Entries are a snapshot at the block the call runs on.
contract MarketplaceLens {
    /// @notice An offer with its id.
    struct OfferEntry {
        uint256 offerId;
        IComputeMarketplaceTypes.OfferView offer;
    }

    /// @notice A lease with its id and what its parties could take now.
    struct LeaseEntry {
        uint256 leaseId;
        IComputeMarketplaceTypes.LeaseView lease;
        /// What `withdrawEarnings` would pay the provider now (after fee).
        uint256 earned;
        /// What the client would get back if the lease were cancelled or closed now.
        uint256 refundable;
    }

    /// @notice The largest `limit` a call accepts (bounds each call's gas).
    uint256 public constant MAX_LIMIT = 100;

    /// @notice The marketplace this lens reads.
    ComputeMarketplace public immutable marketplace;
    /// @notice The marketplace's provider registry (read once at construction: the marketplace fixes it).
    ProviderRegistry public immutable registry;

    /// @notice `limit` is 0 or above `maxLimit`.
    error LimitOutOfRange(uint256 limit, uint256 maxLimit);
    /// @notice `fromId` is 0: ids start at 1.
    error ZeroId();
    /// @notice The marketplace address is zero or has no code.
    error InvalidMarketplace(address marketplace);

    /// @param marketplace_ The `ComputeMarketplace` to read.
    constructor(ComputeMarketplace marketplace_) {
        if (address(marketplace_).code.length == 0) revert InvalidMarketplace(address(marketplace_));
        marketplace = marketplace_;
        registry = marketplace_.registry();
    }

    /// @notice Offers `fromId` .. `fromId + limit - 1` (those that exist), in id order.
    /// @param fromId First offer id to return (1-based).
    /// @param limit Most offers to return, 1 ..= `MAX_LIMIT`.
    /// @return page The offers with their ids.
    /// @return nextId The `fromId` of the next page, 0 when this page reaches the last offer.
    function offers(uint256 fromId, uint256 limit)
        external
        view
        returns (OfferEntry[] memory page, uint256 nextId)
    {
        return _offers(address(0), fromId, limit);
    }

    /// @notice `provider`'s offers among ids `fromId` .. `fromId + limit - 1`, in id order.
    /// @param provider The provider whose offers to return.
    /// @param fromId First offer id to examine (1-based).
    /// @param limit Most offer ids to examine, 1 ..= `MAX_LIMIT`.
    /// @return page The provider's offers among the examined ids.
    /// @return nextId The `fromId` of the next page, 0 when the last offer was examined.
    function offersOf(address provider, uint256 fromId, uint256 limit)
        external
        view
        returns (OfferEntry[] memory page, uint256 nextId)
    {
        return _offers(provider, fromId, limit);
    }

    /// @notice `client`'s leases among ids `fromId` .. `fromId + limit - 1`, in id order.
    /// @param client The client whose leases to return.
    /// @param fromId First lease id to examine (1-based).
    /// @param limit Most lease ids to examine, 1 ..= `MAX_LIMIT`.
    /// @return page The client's leases among the examined ids, with what is earned and refundable now.
    /// @return nextId The `fromId` of the next page, 0 when the last lease was examined.
    function leasesOfClient(address client, uint256 fromId, uint256 limit)
        external
        view
        returns (LeaseEntry[] memory page, uint256 nextId)
    {
        return _leases(client, address(0), fromId, limit);
    }

    /// @notice `provider`'s leases among ids `fromId` .. `fromId + limit - 1`, in id order.
    /// @param provider The provider whose leases to return.
    /// @param fromId First lease id to examine (1-based).
    /// @param limit Most lease ids to examine, 1 ..= `MAX_LIMIT`.
    /// @return page The provider's leases among the examined ids, with what is earned and refundable now.
    /// @return nextId The `fromId` of the next page, 0 when the last lease was examined.
    function leasesOfProvider(address provider, uint256 fromId, uint256 limit)
        external
        view
        returns (LeaseEntry[] memory page, uint256 nextId)
    {
        return _leases(address(0), provider, fromId, limit);
    }

    /// @notice `provider`'s registration, stake and reputation (the registry's `providerInfo`).
    /// @param provider The provider.
    /// @return info Its stake (free, locked, pending), unlock time, reputation counters and metadata URI.
    function providerInfo(address provider) external view returns (IProviderRegistry.ProviderInfo memory info) {
        return registry.providerInfo(provider);
    }

    /// @notice The payment tokens the marketplace allows now, in the order they were first allowed (bounded: the
    ///         marketplace's tracked-token list grows only by admin action). Moved here from the marketplace in round 5
    ///         to free its initcode (EIP-3860).
    /// @return tokens The allowed payment tokens.
    function allowedTokens() external view returns (address[] memory tokens) {
        address[] memory tracked = marketplace.trackedTokens();
        uint256 count = tracked.length;
        tokens = new address[](count);
        uint256 found = 0;
        for (uint256 i = 0; i < count; ++i) {
            if (marketplace.isTokenAllowed(tracked[i])) tokens[found++] = tracked[i];
        }
        assembly ("memory-safe") {
            mstore(tokens, found) // shrink the array to the allowed ones (only ever shorter)
        }
    }

    /// @dev The ids `fromId` .. `last` a page examines, and the next page's `fromId` (0 when `last` is `count`).
    function _range(uint256 fromId, uint256 limit, uint256 count) private pure returns (uint256 last, uint256 next) {
        if (limit == 0 || limit > MAX_LIMIT) revert LimitOutOfRange(limit, MAX_LIMIT);
        if (fromId == 0) revert ZeroId();
        if (fromId > count) return (0, 0); // nothing to examine: an empty page
        // fromId <= count here, so fromId + limit - 1 cannot overflow (limit <= MAX_LIMIT, count is a counter).
        last = fromId + limit - 1;
        if (last >= count) return (count, 0);
        next = last + 1;
    }

    /// @dev Offers in the range; `provider` zero matches every offer.
    function _offers(address provider, uint256 fromId, uint256 limit)
        private
        view
        returns (OfferEntry[] memory page, uint256 nextId)
    {
        uint256 last;
        (last, nextId) = _range(fromId, limit, marketplace.offerCount());
        page = new OfferEntry[](last >= fromId ? last - fromId + 1 : 0);
        uint256 found = 0;
        for (uint256 id = fromId; id <= last; ++id) {
            IComputeMarketplaceTypes.OfferView memory offer = marketplace.getOffer(id);
            if (provider == address(0) || offer.provider == provider) page[found++] = OfferEntry(id, offer);
        }
        _truncate(page, found);
    }

    /// @dev Leases in the range; a zero `client` or `provider` matches any.
    function _leases(address client, address provider, uint256 fromId, uint256 limit)
        private
        view
        returns (LeaseEntry[] memory page, uint256 nextId)
    {
        uint256 last;
        (last, nextId) = _range(fromId, limit, marketplace.leaseCount());
        page = new LeaseEntry[](last >= fromId ? last - fromId + 1 : 0);
        uint256 found = 0;
        for (uint256 id = fromId; id <= last; ++id) {
            IComputeMarketplaceTypes.LeaseView memory lease = marketplace.getLease(id);
            if ((client == address(0) || lease.client == client) && (provider == address(0) || lease.provider == provider))
            {
                page[found++] = LeaseEntry(id, lease, marketplace.earned(id), marketplace.refundable(id));
            }
        }
        _truncate(page, found);
    }

    /// @dev Shortens a memory array's length word to `length` (<= its allocated length; the tail stays allocated).
    function _truncate(OfferEntry[] memory page, uint256 length) private pure {
        assembly ("memory-safe") {
            mstore(page, length)
        }
    }

    /// @dev As above, for lease pages.
    function _truncate(LeaseEntry[] memory page, uint256 length) private pure {
        assembly ("memory-safe") {
            mstore(page, length)
        }
    }
}
