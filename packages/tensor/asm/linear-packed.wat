  ;; Products with a packed weight: y[m, n] = x[m, k]·Wᵀ (+ bias) for a weight W [n, k] kept in the
  ;; kernel memory between calls (src/backend/wasm/packed-linear.ts). W is stored as the pre-packed B
  ;; of $gemm (B = Wᵀ): for each KC slice of the k axis (from row pc, kc rows), the 8-column slivers of
  ;; all n8 columns (n rounded up to 8), the slice at element pc·n8 and sliver s at s·kc·8 inside it,
  ;; each sliver holding for p = 0..kc-1 the 8 values W[8s+c, pc+p] (zero past n). Elements are float32,
  ;; or the bits of float16 / bfloat16 (in the order below), widened to float32 here.
  ;;
  ;; Threads claim chunks of slivers (all rows, all of k) from a counter, so the product splits by
  ;; output columns: a matrix-vector product splits as well as a tall one. Every output element is
  ;; computed by the same instructions in the same order whoever takes its chunk, and in $gemm's order
  ;; (sequential over p within a KC slice from zero, then added to the earlier slices' sum; the bias
  ;; last), so results equal the unpacked matmul (and add) exactly on any number of threads.
  ;; Fewer than 4 rows: each row streams 4 slivers at a time through 8 accumulators, widening halves
  ;; in registers. 4 rows or more: A is packed as $gemm packs it and the 4x8 micro-kernel walks the
  ;; slivers (half-precision slivers are first widened into the thread's packed-B scratch).
  ;;
  ;; Descriptor (i32 words at desc): 0 x, 1 m, 2 n, 3 k, 4 W (bytes), 5 dtype (0 float32, 1 float16,
  ;; 2 bfloat16), 6 bias (0: none), 7 out, 8 slivers per chunk, 9 the chunk counter (claimed with an
  ;; atomic add; the caller zeroes it), 10 scratch base, 11 scratch bytes per thread. x and out are
  ;; contiguous [m, k] and [m, n].

  ;; 16-bit slivers store each step's 8 values in the order of columns 0 4 1 5 2 6 3 7, so that the
  ;; low halves of the four i32 lanes are columns 0-3 and the high halves columns 4-7: widening takes
  ;; shifts and masks, never a shuffle. $h holds the 8 values of one step.
  ;;
  ;; float16 with its bits in the top half of each i32 lane (sign at bit 31) to float32: shift the
  ;; exponent and mantissa into float32's places (the sign stays; the shift's three copies of it and the
  ;; low half's bits are masked off), then rebias the exponent by 2^112 (exact, subnormals included).
  ;; Finite halves only.
  (@macro lp_f16 ($v)
    (f32x4.mul
      (v128.and (i32x4.shr_s $v (i32.const 3)) (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
      (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112)))
  ;; Columns 0-3 / 4-7 of a step, each moved into the top half of an i32 lane.
  (@macro lp_top_lo ($h) (i32x4.shl $h (i32.const 16)))
  (@macro lp_top_hi ($h) (v128.and $h (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))

  ;; One row against 4 slivers (at $b0..$b3; the same address twice when fewer are wanted): the 32
  ;; sums over kc steps into `tile` (8 vectors). $LOAD_LO and $LOAD_HI load lanes 0-3 and 4-7 of sliver
  ;; # at the step $b# points at (as float32; $h# holds the raw vector), $STEP is its bytes.
  (@macro lp_row_kernel ($NAME $LOAD_LO $LOAD_HI $STEP)
    (func $NAME (param $a i32) (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32)
      (param $kc i32) (param $tile i32)
      (local $x v128) (local $end i32)
      (@lanes 4 (local $lo# v128) (local $hi# v128) (local $h# v128))
      (local.set $end (i32.add (local.get $a) (i32.shl (local.get $kc) (i32.const 2))))
      (loop $p
        (local.set $x (v128.load32_splat (local.get $a)))
        (@lanes 4 (local.set $lo# (f32x4.relaxed_madd (local.get $x) $LOAD_LO (local.get $lo#)))
          (local.set $hi# (f32x4.relaxed_madd (local.get $x) $LOAD_HI (local.get $hi#)))
          (local.set $b# (i32.add (local.get $b#) (i32.const $STEP))))
        (br_if $p (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 4))) (local.get $end))))
      (@lanes 4 (v128.store offset=#*32 (local.get $tile) (local.get $lo#))
        (v128.store offset=#*32 (i32.add (local.get $tile) (i32.const 16)) (local.get $hi#)))))

  (@lp_row_kernel $lp_row_f32 (v128.load (local.get $b#)) (v128.load offset=16 (local.get $b#)) 32)
  (@lp_row_kernel $lp_row_f16
    (@lp_f16 (@lp_top_lo (local.tee $h# (v128.load (local.get $b#))))) (@lp_f16 (local.get $h#)) 16)
  (@lp_row_kernel $lp_row_bf16
    (@lp_top_lo (local.tee $h# (v128.load (local.get $b#)))) (@lp_top_hi (local.get $h#)) 16)

  ;; `cols` (≤ 32) values of one row: out[j] = tile[j] (acc: out[j] += tile[j]).
  (func $lp_merge_row (param $tile i32) (param $out i32) (param $cols i32) (param $acc i32)
    (local $j i32) (local $at i32) (local $v v128)
    (if (i32.eq (local.get $cols) (i32.const 32))
      (then
        (loop $vec
          (local.set $at (i32.add (local.get $out) (local.get $j)))
          (local.set $v (v128.load (i32.add (local.get $tile) (local.get $j))))
          (if (local.get $acc) (then (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $at))))))
          (v128.store (local.get $at) (local.get $v))
          (br_if $vec (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 128))))
        (return)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (local.get $cols)))
      (local.set $at (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
      (f32.store (local.get $at)
        (if (result f32) (local.get $acc)
          (then (f32.add (f32.load (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2))))
            (f32.load (local.get $at))))
          (else (f32.load (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2)))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next))))

  ;; Widens `count` (a multiple of 8) 16-bit values at `src` to float32 at `dst` (dtype 1 float16, 2 bfloat16).
  (func $lp_widen (param $src i32) (param $dst i32) (param $count i32) (param $dtype i32)
    (local $h v128) (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 1))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $h (v128.load (local.get $src)))
      (if (i32.eq (local.get $dtype) (i32.const 1))
        (then
          (v128.store (local.get $dst) (@lp_f16 (@lp_top_lo (local.get $h))))
          (v128.store offset=16 (local.get $dst) (@lp_f16 (local.get $h))))
        (else
          (v128.store (local.get $dst) (@lp_top_lo (local.get $h)))
          (v128.store offset=16 (local.get $dst) (@lp_top_hi (local.get $h)))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
      (br $next))))

  ;; Rows [0, m) of slivers [s0, s1) for the KC slice at element row pc (kc rows), few rows: each row
  ;; against groups of 4 slivers read straight from the packed weight.
  (func $lp_slice_rows (param $d i32) (param $s0 i32) (param $s1 i32) (param $pc i32) (param $kc i32)
    (param $slice i32) (param $tile i32)
    (local $m i32) (local $n i32) (local $k i32) (local $dtype i32) (local $step i32) (local $g i32)
    (local $i i32) (local $cols i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $a i32) (local $out i32)
    (local.set $m (i32.load offset=4 (local.get $d)))
    (local.set $n (i32.load offset=8 (local.get $d)))
    (local.set $k (i32.load offset=12 (local.get $d)))
    (local.set $dtype (i32.load offset=20 (local.get $d)))
    ;; bytes of one sliver of this slice
    (local.set $step (i32.shl (local.get $kc) (select (i32.const 5) (i32.const 4) (i32.eqz (local.get $dtype)))))
    (local.set $g (local.get $s0))
    (block $done (loop $group
      (br_if $done (i32.ge_u (local.get $g) (local.get $s1)))
      (local.set $b0 (i32.add (local.get $slice) (i32.mul (local.get $g) (local.get $step))))
      (local.set $b1 (select (i32.add (local.get $b0) (local.get $step)) (local.get $b0)
        (i32.lt_u (i32.add (local.get $g) (i32.const 1)) (local.get $s1))))
      (local.set $b2 (select (i32.add (local.get $b0) (i32.shl (local.get $step) (i32.const 1))) (local.get $b0)
        (i32.lt_u (i32.add (local.get $g) (i32.const 2)) (local.get $s1))))
      (local.set $b3 (select (i32.add (local.get $b0) (i32.mul (local.get $step) (i32.const 3))) (local.get $b0)
        (i32.lt_u (i32.add (local.get $g) (i32.const 3)) (local.get $s1))))
      (local.set $cols (i32.sub (local.get $n) (i32.shl (local.get $g) (i32.const 3))))
      (if (i32.gt_s (local.get $cols) (i32.const 32)) (then (local.set $cols (i32.const 32))))
      (if (i32.gt_s (local.get $cols) (i32.shl (i32.sub (local.get $s1) (local.get $g)) (i32.const 3)))
        (then (local.set $cols (i32.shl (i32.sub (local.get $s1) (local.get $g)) (i32.const 3)))))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $a (i32.add (i32.load (local.get $d))
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $pc)) (i32.const 2))))
        (if (i32.eqz (local.get $dtype))
          (then (call $lp_row_f32 (local.get $a) (local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3)
            (local.get $kc) (local.get $tile)))
          (else (if (i32.eq (local.get $dtype) (i32.const 1))
            (then (call $lp_row_f16 (local.get $a) (local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3)
              (local.get $kc) (local.get $tile)))
            (else (call $lp_row_bf16 (local.get $a) (local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3)
              (local.get $kc) (local.get $tile))))))
        (local.set $out (i32.add (i32.load offset=28 (local.get $d))
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (i32.shl (local.get $g) (i32.const 3)))
            (i32.const 2))))
        (call $lp_merge_row (local.get $tile) (local.get $out) (local.get $cols) (i32.ne (local.get $pc) (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $group))))

  ;; Rows [0, m) of slivers [s0, s1) for the KC slice at row pc (kc rows), 4 rows or more: A blocks
  ;; packed as $gemm packs them, the 4x8 micro-kernel over float32 slivers at `bsl` (sliver s0 first).
  (func $lp_slice_tiles (param $d i32) (param $s0 i32) (param $s1 i32) (param $pc i32) (param $kc i32)
    (param $bsl i32) (param $pa i32) (param $tile i32)
    (local $m i32) (local $n i32) (local $k i32) (local $ldc i32) (local $acc i32) (local $ic i32)
    (local $mc i32) (local $s i32) (local $ir i32) (local $rows i32) (local $cols i32) (local $cp i32)
    (local $bs i32)
    (local.set $m (i32.load offset=4 (local.get $d)))
    (local.set $n (i32.load offset=8 (local.get $d)))
    (local.set $k (i32.load offset=12 (local.get $d)))
    (local.set $ldc (i32.shl (local.get $n) (i32.const 2)))
    (local.set $acc (i32.ne (local.get $pc) (i32.const 0)))
    (block $ic_done (loop $ic_loop
      (br_if $ic_done (i32.ge_s (local.get $ic) (local.get $m)))
      (local.set $mc (i32.sub (local.get $m) (local.get $ic)))
      (if (i32.gt_s (local.get $mc) (global.get $MC)) (then (local.set $mc (global.get $MC))))
      (call $pack_a
        (i32.add (i32.load (local.get $d))
          (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $k)) (local.get $pc)) (i32.const 2)))
        (i32.shl (local.get $k) (i32.const 2)) (i32.const 4) (local.get $mc) (local.get $kc) (local.get $pa))
      (local.set $s (local.get $s0))
      (block $s_done (loop $s_loop
        (br_if $s_done (i32.ge_u (local.get $s) (local.get $s1)))
        (local.set $cols (i32.sub (local.get $n) (i32.shl (local.get $s) (i32.const 3))))
        (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
        (local.set $bs (i32.add (local.get $bsl)
          (i32.mul (i32.sub (local.get $s) (local.get $s0)) (i32.shl (local.get $kc) (i32.const 5)))))
        (local.set $ir (i32.const 0))
        (block $ir_done (loop $ir_loop
          (br_if $ir_done (i32.ge_s (local.get $ir) (local.get $mc)))
          (local.set $rows (i32.sub (local.get $mc) (local.get $ir)))
          (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
          (local.set $cp (i32.add (i32.load offset=28 (local.get $d))
            (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
              (i32.shl (local.get $s) (i32.const 5)))))
          (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8)))
            (then
              (call $kernel_4x8 (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                (local.get $bs) (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $acc)))
            (else
              (call $kernel_4x8 (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                (local.get $bs) (local.get $kc) (local.get $tile) (i32.const 32) (i32.const 0))
              (call $tile_merge (local.get $tile) (local.get $cp) (local.get $ldc) (local.get $rows)
                (local.get $cols) (local.get $acc))))
          (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
          (br $ir_loop)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $s_loop)))
      (local.set $ic (i32.add (local.get $ic) (global.get $MC)))
      (br $ic_loop))))

  ;; Every row of slivers [s0, s1): each KC slice in order, then the bias.
  (func $lp_chunk (param $d i32) (param $s0 i32) (param $s1 i32) (param $scratch i32)
    (local $m i32) (local $n i32) (local $k i32) (local $dtype i32) (local $esize i32) (local $n8 i32)
    (local $pc i32) (local $kc i32) (local $slice i32) (local $bsl i32) (local $pb i32) (local $tile i32)
    (local $bias i32) (local $i i32) (local $j i32) (local $j1 i32) (local $at i32)
    (local.set $m (i32.load offset=4 (local.get $d)))
    (local.set $n (i32.load offset=8 (local.get $d)))
    (local.set $k (i32.load offset=12 (local.get $d)))
    (local.set $dtype (i32.load offset=20 (local.get $d)))
    (local.set $esize (select (i32.const 4) (i32.const 2) (i32.eqz (local.get $dtype))))
    (local.set $n8 (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8)))
    ;; the thread's scratch: packed A (MC·KC floats), widened B (KC·NC floats), a 4x8 tile
    (local.set $pb (i32.add (local.get $scratch) (i32.shl (i32.mul (global.get $MC) (global.get $KC)) (i32.const 2))))
    (local.set $tile (i32.add (local.get $pb) (i32.shl (i32.mul (global.get $KC) (global.get $NC)) (i32.const 2))))
    (block $pc_done (loop $pc_loop
      (br_if $pc_done (i32.ge_s (local.get $pc) (local.get $k)))
      (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
      (if (i32.gt_s (local.get $kc) (global.get $KC)) (then (local.set $kc (global.get $KC))))
      (local.set $slice (i32.add (i32.load offset=16 (local.get $d))
        (i32.mul (i32.mul (local.get $pc) (local.get $n8)) (local.get $esize))))
      (if (i32.lt_u (local.get $m) (i32.const 4))
        (then (call $lp_slice_rows (local.get $d) (local.get $s0) (local.get $s1) (local.get $pc) (local.get $kc)
          (local.get $slice) (local.get $tile)))
        (else
          (local.set $bsl (i32.add (local.get $slice)
            (i32.mul (i32.mul (local.get $s0) (i32.shl (local.get $kc) (i32.const 3))) (local.get $esize))))
          (if (local.get $dtype)
            (then
              (call $lp_widen (local.get $bsl) (local.get $pb)
                (i32.mul (i32.sub (local.get $s1) (local.get $s0)) (i32.shl (local.get $kc) (i32.const 3)))
                (local.get $dtype))
              (local.set $bsl (local.get $pb))))
          (call $lp_slice_tiles (local.get $d) (local.get $s0) (local.get $s1) (local.get $pc) (local.get $kc)
            (local.get $bsl) (local.get $scratch) (local.get $tile))))
      (local.set $pc (i32.add (local.get $pc) (global.get $KC)))
      (br $pc_loop)))
    (local.set $bias (i32.load offset=24 (local.get $d)))
    (if (i32.eqz (local.get $bias)) (then (return)))
    (local.set $j1 (i32.shl (local.get $s1) (i32.const 3)))
    (if (i32.gt_s (local.get $j1) (local.get $n)) (then (local.set $j1 (local.get $n))))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $j (i32.shl (local.get $s0) (i32.const 3)))
      (block $cols_done (loop $col
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $j1)))
        (local.set $at (i32.add (i32.load offset=28 (local.get $d))
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
        (f32.store (local.get $at) (f32.add (f32.load (local.get $at))
          (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $col)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))

  ;; Thread tid's part of the product at desc: claims chunks of slivers until none is left (nt unused).
  (func (export "linear_packed_f32") (param $d i32) (param $tid i32) (param $nt i32)
    (local $slivers i32) (local $per i32) (local $s0 i32) (local $s1 i32) (local $scratch i32)
    (local.set $slivers (i32.shr_u (i32.add (i32.load offset=8 (local.get $d)) (i32.const 7)) (i32.const 3)))
    (local.set $per (i32.load offset=32 (local.get $d)))
    (local.set $scratch (i32.add (i32.load offset=40 (local.get $d))
      (i32.mul (local.get $tid) (i32.load offset=44 (local.get $d)))))
    (loop $claim
      (local.set $s0 (i32.mul (i32.atomic.rmw.add offset=36 (local.get $d) (i32.const 1)) (local.get $per)))
      (if (i32.lt_u (local.get $s0) (local.get $slivers))
        (then
          (local.set $s1 (i32.add (local.get $s0) (local.get $per)))
          (if (i32.gt_u (local.get $s1) (local.get $slivers)) (then (local.set $s1 (local.get $slivers))))
          (call $lp_chunk (local.get $d) (local.get $s0) (local.get $s1) (local.get $scratch))
          (br $claim)))))

  ;; Packs `rows` rows of a weight W (float32, rows k*4 bytes apart from `src`; `rows` ≤ 8 past the
  ;; last multiple of 8 is zero-padded) as the slivers of every KC slice of the layout above, for a
  ;; weight of n8 columns of which these are columns r0... (r0 a multiple of 8): slice pc at element
  ;; pc·n8, these slivers from element r0·kc inside it.
  (func (export "pack_weight_rows") (param $src i32) (param $rows i32) (param $k i32) (param $dst i32)
    (param $n8 i32) (param $r0 i32)
    (local $pc i32) (local $kc i32)
    (block $done (loop $slice
      (br_if $done (i32.ge_s (local.get $pc) (local.get $k)))
      (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
      (if (i32.gt_s (local.get $kc) (global.get $KC)) (then (local.set $kc (global.get $KC))))
      (call $pack_b (i32.add (local.get $src) (i32.shl (local.get $pc) (i32.const 2)))
        (i32.const 4) (i32.shl (local.get $k) (i32.const 2)) (local.get $kc) (local.get $rows)
        (i32.add (local.get $dst)
          (i32.shl (i32.add (i32.mul (local.get $pc) (local.get $n8)) (i32.mul (local.get $r0) (local.get $kc)))
            (i32.const 2))))
      (local.set $pc (i32.add (local.get $pc) (global.get $KC)))
      (br $slice))))

  ;; Rounds `count` (a multiple of 8) float32s at `src` to float16 (dtype 1) or bfloat16 (dtype 2) at
  ;; `dst`, nearest with ties to even as torch's `.half()` / `.bfloat16()`, each group of 8 stored in the
  ;; interleaved order the kernels above widen. Inputs must be finite and in range (the caller checks).
  (func (export "round_to_half") (param $src i32) (param $dst i32) (param $count i32) (param $dtype i32)
    (local $end i32) (local $lo v128) (local $hi v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (if (i32.eq (local.get $dtype) (i32.const 1))
        (then
          (local.set $lo (call $lp_round_f16 (v128.load (local.get $src))))
          (local.set $hi (call $lp_round_f16 (v128.load offset=16 (local.get $src)))))
        (else
          (local.set $lo (call $lp_round_bf16 (v128.load (local.get $src))))
          (local.set $hi (call $lp_round_bf16 (v128.load offset=16 (local.get $src))))))
      ;; columns 0-7 → the order 0 4 1 5 2 6 3 7
      (v128.store (local.get $dst)
        (i8x16.shuffle 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15
          (i16x8.narrow_i32x4_u (local.get $lo) (local.get $hi)) (local.get $lo)))
      (local.set $src (i32.add (local.get $src) (i32.const 32)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $next))))

  ;; float32 lanes to bfloat16 bits (in the low half of each lane): x + 0x7fff + the kept lowest bit, >> 16.
  (func $lp_round_bf16 (param $x v128) (result v128)
    (i32x4.shr_u
      (i32x4.add (i32x4.add (local.get $x) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
        (v128.and (i32x4.shr_u (local.get $x) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
      (i32.const 16)))

  ;; float32 lanes to float16 bits (low half of each lane). Normal halves: rebias the exponent, add
  ;; 0xfff and the kept lowest bit, >> 13 (a carry rounds up into the exponent). Below 2^-14 (float16
  ;; subnormals and zero): add 0.5 as floats, so the FPU rounds the value into the low mantissa bits,
  ;; and take those bits.
  (func $lp_round_f16 (param $x v128) (result v128)
    (local $a v128) (local $normal v128) (local $small v128)
    (local.set $a (v128.and (local.get $x) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
    (local.set $normal (i32x4.shr_u
      (i32x4.add (i32x4.add (local.get $a) (v128.const i32x4 0xc8000fff 0xc8000fff 0xc8000fff 0xc8000fff))
        (v128.and (i32x4.shr_u (local.get $a) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
      (i32.const 13)))
    (local.set $small (i32x4.sub
      (f32x4.add (local.get $a) (v128.const f32x4 0.5 0.5 0.5 0.5))
      (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000)))
    (v128.or
      (v128.bitselect (local.get $small) (local.get $normal)
        (i32x4.lt_u (local.get $a) (v128.const i32x4 0x38800000 0x38800000 0x38800000 0x38800000)))
      (i32x4.shr_u (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
        (i32.const 16))))
