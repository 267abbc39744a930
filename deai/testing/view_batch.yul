// The view batch of deai/testing/view_batch.py: its docstring says how RevmChain uses it. Input: records of [20-byte
// target][2-byte length][calldata], appended to this code from byte 0x80 on (pyrevm copies a transaction's calldata
// into revm byte by byte, but code in one piece); output: per record a word (success << 128 | length of the answer),
// then the answer. Called by anyone but the batch origin it answers nothing, as the zero address without code would.
object "ViewBatch" {
  code { datacopy(0, dataoffset("runtime"), datasize("runtime")) return(0, datasize("runtime")) }
  object "runtime" {
    code {
      if iszero(eq(caller(), 0xba7c4ba7c4ba7c4ba7c4ba7c4ba7c4ba7c4ba7c4)) { return(0, 0) }
      let p := 0x80
      let end := codesize()
      let out := 0
      for {} lt(p, end) {} {
        codecopy(out, p, 32)
        let word := mload(out)
        let len := and(shr(80, word), 0xffff)
        codecopy(add(out, 32), add(p, 22), len)
        let ok := staticcall(gas(), shr(96, word), add(out, 32), len, 0, 0)
        let size := returndatasize()
        mstore(out, or(shl(128, ok), size))
        returndatacopy(add(out, 32), 0, size)
        out := add(out, add(32, size))
        p := add(p, add(22, len))
      }
      return(0, out)
    }
  }
}
