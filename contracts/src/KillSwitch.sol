// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title The mesh's kill switch.
/// @notice The guardian halts the mesh at once, with a reason; only the timelock (an executed proposal) resumes it
/// or replaces the guardian. The guardian may also cancel a queued proposal before the timelock runs it: the kill
/// switch holds the timelock's canceller role and passes the guardian's cancel on.
/// @dev `haltCount` numbers halts: a guardian-signed halt message names the halt it announces (haltCount + 1), so a
/// message from an earlier halt, replayed after a resume, is refused by every node.
contract KillSwitch {
    address public immutable timelock;
    address public guardian;
    bool public halted;
    string public haltReason;
    uint64 public haltCount;

    event Halted(address indexed guardian, uint64 indexed haltNumber, string reason);
    event Resumed(uint64 indexed haltNumber, string reason);
    event GuardianChanged(address indexed previous, address indexed next);
    event OperationCancelled(bytes32 indexed operationId, string reason);

    error NotGuardian(address caller);
    error NotTimelock(address caller);
    error AlreadyHalted();
    error NotHalted();
    error ZeroGuardian();

    modifier onlyGuardian() {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        _;
    }

    modifier onlyTimelock() {
        if (msg.sender != timelock) revert NotTimelock(msg.sender);
        _;
    }

    constructor(address timelock_, address guardian_) {
        if (guardian_ == address(0)) revert ZeroGuardian();
        timelock = timelock_;
        guardian = guardian_;
        emit GuardianChanged(address(0), guardian_);
    }

    /// @notice Everything a node reads in one call.
    function status()
        external
        view
        returns (bool isHalted, string memory reason, uint64 halts, address currentGuardian)
    {
        return (halted, haltReason, haltCount, guardian);
    }

    function halt(string calldata reason) external onlyGuardian {
        if (halted) revert AlreadyHalted();
        halted = true;
        haltReason = reason;
        haltCount += 1;
        emit Halted(msg.sender, haltCount, reason);
    }

    function resume(string calldata reason) external onlyTimelock {
        if (!halted) revert NotHalted();
        halted = false;
        haltReason = "";
        emit Resumed(haltCount, reason);
    }

    function setGuardian(address next) external onlyTimelock {
        if (next == address(0)) revert ZeroGuardian();
        emit GuardianChanged(guardian, next);
        guardian = next;
    }

    /// @notice Cancels a queued timelock operation (a passed proposal waiting for its delay).
    function cancel(bytes32 operationId, string calldata reason) external onlyGuardian {
        TimelockController(payable(timelock)).cancel(operationId);
        emit OperationCancelled(operationId, reason);
    }
}
