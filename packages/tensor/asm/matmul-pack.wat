  ;; Packing for the float32 matrix product (see matmul.wat).
  ;;
  ;; A block [mc, kc] is packed into slivers of 4 rows: sliver s holds, for p = 0..kc-1, the 4 values
  ;; A[4s+r, p] (r = 0..3) side by side (16 bytes per p), rows past mc padded with zeros.
  ;; B block [kc, nc] is packed into slivers of 8 columns: sliver j holds, for each p, the 8 values
  ;; B[p, 8j+c] (32 bytes per p), columns past nc padded with zeros.
  ;; Element (i, p) of the source is at `src + i*rs + p*cs` (byte strides), so any transposition is
  ;; read in place; unit-stride layouts take SIMD paths (plain copies or 4x4 transposes).

  ;; Stores the transpose of the 4x4 block whose rows are r0..r3: column q goes to dst + q*stride.
  (func $transpose4_store (param $r0 v128) (param $r1 v128) (param $r2 v128) (param $r3 v128)
    (param $dst i32) (param $stride i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ;; t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r0.2 r1.2 r0.3 r1.3], likewise t2, t3 from r2, r3
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; Scalar packing of p = p0..kc-1 of one A sliver with `rows` valid rows (the rest zero).
  (func $pack_a_scalar (param $s i32) (param $rs i32) (param $cs i32) (param $rows i32)
    (param $p i32) (param $kc i32) (param $dst i32)
    (local $r i32) (local $q i32)
    (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 4))))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $p) (local.get $kc)))
      (local.set $q (i32.add (local.get $s) (i32.mul (local.get $p) (local.get $cs))))
      (local.set $r (i32.const 0))
      (loop $row
        (f32.store (local.get $dst)
          (if (result f32) (i32.lt_s (local.get $r) (local.get $rows))
            (then (f32.load (local.get $q)))
            (else (f32.const 0))))
        (local.set $q (i32.add (local.get $q) (local.get $rs)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br_if $row (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next))))

  ;; Packs the A block [mc, kc] at `src` into 4-row slivers at `dst`.
  (func $pack_a (param $src i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32)
    (param $dst i32)
    (local $i i32) (local $rows i32) (local $s i32) (local $p i32) (local $kc4 i32) (local $rs2 i32)
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (local.set $rs2 (i32.shl (local.get $rs) (i32.const 1)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $i) (local.get $mc)))
      (local.set $rows (i32.sub (local.get $mc) (local.get $i)))
      (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rs))))
      (local.set $p (i32.const 0))
      (if (i32.eq (local.get $rows) (i32.const 4))
        (then
          (if (i32.eq (local.get $cs) (i32.const 4))
            (then
              ;; rows contiguous along p: transpose 4x4 blocks
              (block $t_done (loop $t
                (br_if $t_done (i32.ge_s (local.get $p) (local.get $kc4)))
                (call $transpose4_store
                  (v128.load (i32.add (local.get $s) (i32.shl (local.get $p) (i32.const 2))))
                  (v128.load (i32.add (i32.add (local.get $s) (local.get $rs)) (i32.shl (local.get $p) (i32.const 2))))
                  (v128.load (i32.add (i32.add (local.get $s) (local.get $rs2)) (i32.shl (local.get $p) (i32.const 2))))
                  (v128.load (i32.add (i32.add (i32.add (local.get $s) (local.get $rs2)) (local.get $rs))
                    (i32.shl (local.get $p) (i32.const 2))))
                  (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 4)))
                  (i32.const 16))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $t))))
            (else
              (if (i32.eq (local.get $rs) (i32.const 4))
                (then
                  ;; the 4 rows of each p are adjacent: one vector per p
                  (block $c_done (loop $c
                    (br_if $c_done (i32.ge_s (local.get $p) (local.get $kc)))
                    (v128.store (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 4)))
                      (v128.load (i32.add (local.get $s) (i32.mul (local.get $p) (local.get $cs)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $c)))))))))
      (call $pack_a_scalar (local.get $s) (local.get $rs) (local.get $cs) (local.get $rows)
        (local.get $p) (local.get $kc) (local.get $dst))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $next))))

  ;; Scalar packing of p = p0..kc-1 of one B sliver with `cols` valid columns (the rest zero).
  (func $pack_b_scalar (param $s i32) (param $rs i32) (param $cs i32) (param $cols i32)
    (param $p i32) (param $kc i32) (param $dst i32)
    (local $c i32) (local $q i32)
    (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5))))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $p) (local.get $kc)))
      (local.set $q (i32.add (local.get $s) (i32.mul (local.get $p) (local.get $rs))))
      (local.set $c (i32.const 0))
      (loop $col
        (f32.store (local.get $dst)
          (if (result f32) (i32.lt_s (local.get $c) (local.get $cols))
            (then (f32.load (local.get $q)))
            (else (f32.const 0))))
        (local.set $q (i32.add (local.get $q) (local.get $cs)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br_if $col (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next))))

  ;; Packs the B block [kc, nc] at `src` into 8-column slivers at `dst`.
  (func $pack_b (param $src i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32)
    (param $dst i32)
    (local $j i32) (local $cols i32) (local $s i32) (local $p i32) (local $kc4 i32) (local $q i32)
    (local $s4 i32) (local $cs2 i32)
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (local.set $cs2 (i32.shl (local.get $cs) (i32.const 1)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $nc)))
      (local.set $cols (i32.sub (local.get $nc) (local.get $j)))
      (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $cs))))
      (local.set $p (i32.const 0))
      (if (i32.eq (local.get $cols) (i32.const 8))
        (then
          (if (i32.eq (local.get $cs) (i32.const 4))
            (then
              ;; each row of the sliver is 8 adjacent values
              (block $c_done (loop $c
                (br_if $c_done (i32.ge_s (local.get $p) (local.get $kc)))
                (local.set $q (i32.add (local.get $s) (i32.mul (local.get $p) (local.get $rs))))
                (v128.store (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5)))
                  (v128.load (local.get $q)))
                (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5)))
                  (v128.load offset=16 (local.get $q)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $c))))
            (else
              (if (i32.eq (local.get $rs) (i32.const 4))
                (then
                  ;; B is a transposed view: each column is contiguous along p; transpose 4x4 blocks
                  (local.set $s4 (i32.add (local.get $s) (i32.shl (local.get $cs) (i32.const 2))))
                  (block $t_done (loop $t
                    (br_if $t_done (i32.ge_s (local.get $p) (local.get $kc4)))
                    (local.set $q (i32.shl (local.get $p) (i32.const 2)))
                    (call $transpose4_store
                      (v128.load (i32.add (local.get $s) (local.get $q)))
                      (v128.load (i32.add (i32.add (local.get $s) (local.get $cs)) (local.get $q)))
                      (v128.load (i32.add (i32.add (local.get $s) (local.get $cs2)) (local.get $q)))
                      (v128.load (i32.add (i32.add (i32.add (local.get $s) (local.get $cs2)) (local.get $cs))
                        (local.get $q)))
                      (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5)))
                      (i32.const 32))
                    (call $transpose4_store
                      (v128.load (i32.add (local.get $s4) (local.get $q)))
                      (v128.load (i32.add (i32.add (local.get $s4) (local.get $cs)) (local.get $q)))
                      (v128.load (i32.add (i32.add (local.get $s4) (local.get $cs2)) (local.get $q)))
                      (v128.load (i32.add (i32.add (i32.add (local.get $s4) (local.get $cs2)) (local.get $cs))
                        (local.get $q)))
                      (i32.add (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5))) (i32.const 16))
                      (i32.const 32))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (br $t)))))))))
      (call $pack_b_scalar (local.get $s) (local.get $rs) (local.get $cs) (local.get $cols)
        (local.get $p) (local.get $kc) (local.get $dst))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $next))))
