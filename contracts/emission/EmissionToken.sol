// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IEmissionToken} from "./interfaces/IEmissionToken.sol";

/// @title EmissionToken
/// @notice ERC-20 with EIP-2612 permit and a hard cap enforced in `mint` (not merely implied by the emission
///         arithmetic). Exactly one minter, the emission splitter, fixed at deployment: nobody else can mint and
///         nobody can change the minter.
/// @dev The minter is an immutable: the deployer passes the splitter's address, known before the splitter exists
///      (a CREATE address follows from the deployer's nonce), and the splitter's constructor refuses a token whose
///      minter is not itself. No setter exists, so there is no window in which anyone could claim the role, and a
///      mint does not read it from storage.
contract EmissionToken is ERC20Capped, ERC20Permit, IEmissionToken {
    /// @inheritdoc IEmissionToken
    address public immutable minter;

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param cap_ Maximum total supply (default 42,000,000e18).
    /// @param minter_ The only account that can ever mint: the emission splitter.
    constructor(string memory name_, string memory symbol_, uint256 cap_, address minter_)
        ERC20(name_, symbol_)
        ERC20Capped(cap_)
        ERC20Permit(name_)
    {
        if (minter_ == address(0)) revert ZeroMinter();
        minter = minter_;
        emit MinterSet(minter_);
    }

    /// @inheritdoc IEmissionToken
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount); // ERC20Capped reverts with ERC20ExceededCap beyond the cap
    }

    /// @inheritdoc IEmissionToken
    function cap() public view override(ERC20Capped, IEmissionToken) returns (uint256) {
        return super.cap();
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
