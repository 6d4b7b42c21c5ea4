// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title The mesh's votes token.
/// @notice Voting power is the balance a holder delegated (to itself or another), counted at each proposal's
/// snapshot block. The owner mints; the deployment hands ownership to the timelock, so after set-up only an executed
/// proposal mints more.
contract MeshVotes is ERC20, ERC20Permit, ERC20Votes, Ownable {
    constructor(address initialOwner) ERC20("Mesh Votes", "MESHV") ERC20Permit("Mesh Votes") Ownable(initialOwner) {}

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
