"""The `@deai/contracts` npm package in abi/: everything in it is generated from the compiled artifacts, the Solidity
sources and the deployment manifests (`make abi`), so it follows the contracts when they change.

Modules: `solidity` (sources, enums, EIP-712 type hashes), `errors` (the errors a call can bubble up),
`natspec` (devdoc/userdoc as TSDoc), `addresses` (deployments/*.json), `package` (the files written into abi/).
"""
