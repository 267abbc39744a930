// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IEmissionToken} from "./interfaces/IEmissionToken.sol";

/// @title EmissionToken
/// @notice ERC-20 with EIP-2612 permit and a hard cap enforced in `mint` (not merely implied by the emission
///         arithmetic). Exactly one minter, the emission splitter, is fixed once by the deployer during deployment;
///         afterwards no account can mint except the splitter, and nobody can change the minter.
contract EmissionToken is ERC20Capped, ERC20Permit, IEmissionToken {
    address private immutable _deployer;
    address private _minter;

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param cap_ Maximum total supply (default 42,000,000e18).
    constructor(string memory name_, string memory symbol_, uint256 cap_)
        ERC20(name_, symbol_)
        ERC20Capped(cap_)
        ERC20Permit(name_)
    {
        _deployer = msg.sender;
    }

    /// @inheritdoc IEmissionToken
    function setMinter(address minter_) external {
        if (msg.sender != _deployer) revert NotDeployer(msg.sender);
        if (_minter != address(0)) revert MinterAlreadySet(_minter);
        if (minter_ == address(0)) revert ZeroMinter();
        _minter = minter_;
        emit MinterSet(minter_);
    }

    /// @inheritdoc IEmissionToken
    function mint(address to, uint256 amount) external {
        if (msg.sender != _minter || msg.sender == address(0)) revert NotMinter(msg.sender);
        _mint(to, amount); // ERC20Capped reverts with ERC20ExceededCap beyond the cap
    }

    /// @inheritdoc IEmissionToken
    function minter() external view returns (address) {
        return _minter;
    }

    /// @inheritdoc IEmissionToken
    function cap() public view override(ERC20Capped, IEmissionToken) returns (uint256) {
        return super.cap();
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
