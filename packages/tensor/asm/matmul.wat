  ;; Float32 matrix product C = A·B, blocked as in BLIS/GotoBLAS: for each NC-wide column block and
  ;; KC-deep slice, B is packed into 8-column slivers (kept in L2) unless it was packed beforehand,
  ;; then for each MC-tall row block A is packed into 4-row slivers and a 4x8 register-tiled
  ;; micro-kernel (eight f32x4 accumulators) walks every sliver pair. C rows are ldc bytes apart; the
  ;; first k slice stores, later ones accumulate. matmul-tasks.wat splits a product into tasks.

  (global $MC i32 (i32.const 128))
  (global $KC i32 (i32.const 256))
  (global $NC i32 (i32.const 512))

  ;; Bytes of per-thread scratch: packed A (MC*KC), packed B (KC*NC), one 4x8 edge tile.
  (func (export "matmul_scratch_bytes") (result i32)
    (i32.add (i32.shl (i32.add (i32.mul (global.get $MC) (global.get $KC))
      (i32.mul (global.get $KC) (global.get $NC))) (i32.const 2)) (i32.const 128)))

  ;; acc ? C[0:4, 0:8] += Ap·Bp : C[0:4, 0:8] = Ap·Bp, over kc >= 1 packed steps. ldc in bytes.
  (func $kernel_4x8 (param $ap i32) (param $bp i32) (param $kc i32) (param $cp i32) (param $ldc i32)
    (param $acc i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $a v128) (local $end i32)
    (local.set $end (i32.add (local.get $ap) (i32.shl (local.get $kc) (i32.const 4))))
    (loop $p
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $a (v128.load32_splat (local.get $ap)))
      (local.set $c00 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c00)))
      (local.set $c01 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c01)))
      (local.set $a (v128.load32_splat offset=4 (local.get $ap)))
      (local.set $c10 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c10)))
      (local.set $c11 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c11)))
      (local.set $a (v128.load32_splat offset=8 (local.get $ap)))
      (local.set $c20 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c20)))
      (local.set $c21 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c21)))
      (local.set $a (v128.load32_splat offset=12 (local.get $ap)))
      (local.set $c30 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c30)))
      (local.set $c31 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c31)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $p (i32.lt_u (local.tee $ap (i32.add (local.get $ap) (i32.const 16))) (local.get $end))))
    (if (local.get $acc)
      (then
        (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $cp))))
        (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $cp))))
        (local.set $c10 (f32x4.add (local.get $c10) (v128.load (i32.add (local.get $cp) (local.get $ldc)))))
        (local.set $c11 (f32x4.add (local.get $c11)
          (v128.load offset=16 (i32.add (local.get $cp) (local.get $ldc)))))
        (local.set $end (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 1))))
        (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $end))))
        (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $end))))
        (local.set $c30 (f32x4.add (local.get $c30) (v128.load (i32.add (local.get $end) (local.get $ldc)))))
        (local.set $c31 (f32x4.add (local.get $c31)
          (v128.load offset=16 (i32.add (local.get $end) (local.get $ldc)))))))
    (v128.store (local.get $cp) (local.get $c00))
    (v128.store offset=16 (local.get $cp) (local.get $c01))
    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
    (v128.store (local.get $cp) (local.get $c10))
    (v128.store offset=16 (local.get $cp) (local.get $c11))
    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
    (v128.store (local.get $cp) (local.get $c20))
    (v128.store offset=16 (local.get $cp) (local.get $c21))
    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
    (v128.store (local.get $cp) (local.get $c30))
    (v128.store offset=16 (local.get $cp) (local.get $c31)))

  ;; Copies (acc: adds) the valid rows x cols of a 4x8 tile (row stride 32 bytes) into C.
  (func $tile_merge (param $tile i32) (param $cp i32) (param $ldc i32) (param $rows i32) (param $cols i32)
    (param $acc i32)
    (local $r i32) (local $c i32) (local $dst i32) (local $v f32)
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cols_done (loop $col
        (br_if $cols_done (i32.ge_s (local.get $c) (local.get $cols)))
        (local.set $dst (i32.add (i32.add (local.get $cp) (i32.mul (local.get $r) (local.get $ldc)))
          (i32.shl (local.get $c) (i32.const 2))))
        (local.set $v (f32.load (i32.add (local.get $tile)
          (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2)))))
        (if (local.get $acc) (then (local.set $v (f32.add (local.get $v) (f32.load (local.get $dst))))))
        (f32.store (local.get $dst) (local.get $v))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $col)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))

  ;; C[m, n] (rows ldc bytes apart, at c) = A[m, k]·B[k, n] with byte strides; pa/pb/tile are
  ;; scratch. B is packed here per block, or, when bpk is non-zero, was packed beforehand at bpk in the
  ;; same panels: for each KC slice from row pc (kc rows), the 8-column slivers of all n columns, at
  ;; bpk + pc*n8*4 + (column/8)*kc*32, where n8 is n rounded up to a multiple of 8.
  (func $gemm (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $n i32) (param $k i32)
    (param $ars i32) (param $acs i32) (param $brs i32) (param $bcs i32) (param $ldc i32) (param $bpk i32)
    (param $pa i32) (param $pb i32) (param $tile i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32)
    (local $mc i32) (local $jr i32) (local $ir i32) (local $rows i32) (local $cols i32) (local $cp i32)
    (local $acc i32) (local $bsl i32) (local $bbase i32) (local $bstride i32)
    (block $jc_done (loop $jc_loop
      (br_if $jc_done (i32.ge_s (local.get $jc) (local.get $n)))
      (local.set $nc (i32.sub (local.get $n) (local.get $jc)))
      (if (i32.gt_s (local.get $nc) (global.get $NC)) (then (local.set $nc (global.get $NC))))
      (local.set $pc (i32.const 0))
      (block $pc_done (loop $pc_loop
        (br_if $pc_done (i32.ge_s (local.get $pc) (local.get $k)))
        (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_s (local.get $kc) (global.get $KC)) (then (local.set $kc (global.get $KC))))
        (local.set $acc (i32.gt_s (local.get $pc) (i32.const 0)))
        (local.set $bstride (i32.shl (local.get $kc) (i32.const 5)))
        (if (local.get $bpk)
          (then
            (local.set $bbase (i32.add (i32.add (local.get $bpk)
              (i32.mul (local.get $pc) (i32.shl (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8))
                (i32.const 2))))
              (i32.mul (i32.shr_u (local.get $jc) (i32.const 3)) (local.get $bstride)))))
          (else
            (call $pack_b
              (i32.add (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $brs)))
                (i32.mul (local.get $jc) (local.get $bcs)))
              (local.get $brs) (local.get $bcs) (local.get $kc) (local.get $nc) (local.get $pb))
            (local.set $bbase (local.get $pb))))
        (local.set $ic (i32.const 0))
        (block $ic_done (loop $ic_loop
          (br_if $ic_done (i32.ge_s (local.get $ic) (local.get $m)))
          (local.set $mc (i32.sub (local.get $m) (local.get $ic)))
          (if (i32.gt_s (local.get $mc) (global.get $MC)) (then (local.set $mc (global.get $MC))))
          (call $pack_a
            (i32.add (i32.add (local.get $a) (i32.mul (local.get $ic) (local.get $ars)))
              (i32.mul (local.get $pc) (local.get $acs)))
            (local.get $ars) (local.get $acs) (local.get $mc) (local.get $kc) (local.get $pa))
          (local.set $jr (i32.const 0))
          (block $jr_done (loop $jr_loop
            (br_if $jr_done (i32.ge_s (local.get $jr) (local.get $nc)))
            (local.set $cols (i32.sub (local.get $nc) (local.get $jr)))
            (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
            (local.set $bsl (i32.add (local.get $bbase)
              (i32.mul (i32.shr_u (local.get $jr) (i32.const 3)) (local.get $bstride))))
            (local.set $ir (i32.const 0))
            (block $ir_done (loop $ir_loop
              (br_if $ir_done (i32.ge_s (local.get $ir) (local.get $mc)))
              (local.set $rows (i32.sub (local.get $mc) (local.get $ir)))
              (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
              (local.set $cp (i32.add (i32.add (local.get $c)
                (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc)))
                (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2))))
              (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8)))
                (then
                  (call $kernel_4x8
                    (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (local.get $bsl) (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $acc)))
                (else
                  (call $kernel_4x8
                    (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (local.get $bsl) (local.get $kc) (local.get $tile) (i32.const 32) (i32.const 0))
                  (call $tile_merge (local.get $tile) (local.get $cp) (local.get $ldc) (local.get $rows)
                    (local.get $cols) (local.get $acc))))
              (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
              (br $ir_loop)))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $jr_loop)))
          (local.set $ic (i32.add (local.get $ic) (global.get $MC)))
          (br $ic_loop)))
        (local.set $pc (i32.add (local.get $pc) (global.get $KC)))
        (br $pc_loop)))
      (local.set $jc (i32.add (local.get $jc) (global.get $NC)))
      (br $jc_loop))))
