// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEmissionRecipient
/// @notice What a contract that receives a splitter bucket's emission declares about itself (the reward pools, and
///         later contracts such as a compute-rewards distributor). The splitter checks all three when such a contract
///         becomes a bucket's recipient (constructor, `proposeRecipient`, `executeRecipient`), and never accepts one
///         as the protection bucket's recipient. A contract whose `splitter()` reverts or answers with less than a
///         word is not one.
interface IEmissionRecipient {
    /// @notice The splitter whose bucket this contract receives.
    function splitter() external view returns (address);

    /// @notice The bucket this contract is built for.
    function bucket() external view returns (uint8);

    /// @notice The emission token it pays out.
    function rewardToken() external view returns (address);
}
