  ;; Strided float32 copies and selects into contiguous outputs. Views have up to 4 axes after merging
  ;; (sizes d0..d3, element strides per axis, innermost last); out is written row by row.

  ;; Moves n bytes from src to dst (the ranges may overlap): copies between arrays that both live in
  ;; the kernel memory, at memcpy speed where JavaScript's copyWithin on a shared memory is slower.
  (func (export "copy_bytes") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $n)))

  ;; Zeroes n bytes from p (a reused block of tensor storage).
  (func (export "zero_bytes") (param $p i32) (param $n i32)
    (memory.fill (local.get $p) (i32.const 0) (local.get $n)))

  ;; out[row] = n floats read from p with element stride s (1: vector copy, 0: broadcast one value).
  (func $strided_row (param $p i32) (param $s i32) (param $n i32) (param $out i32)
    (local $end i32) (local $end4 i32) (local $step i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (if (i32.eq (local.get $s) (i32.const 1))
      (then
        (memory.copy (local.get $out) (local.get $p) (i32.shl (local.get $n) (i32.const 2)))
        (return)))
    (if (i32.eqz (local.get $s))
      (then
        (call $row_fill (local.get $out) (local.get $n) (f32.load (local.get $p)))
        (return)))
    (local.set $step (i32.shl (local.get $s) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (f32.store (local.get $out) (f32.load (local.get $p)))
      (local.set $p (i32.add (local.get $p) (local.get $step)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $next))))

  ;; Copies the view (base src; sizes and element strides at dims: d0 d1 d2 d3 s0 s1 s2 s3 as i32)
  ;; into contiguous out.
  (func (export "copy_f32") (param $src i32) (param $out i32) (param $dims i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $d0 i32) (local $d1 i32) (local $d2 i32)
    (local $d3 i32) (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $p i32)
    (local.set $d0 (i32.load (local.get $dims)))
    (local.set $d1 (i32.load offset=4 (local.get $dims)))
    (local.set $d2 (i32.load offset=8 (local.get $dims)))
    (local.set $d3 (i32.load offset=12 (local.get $dims)))
    (local.set $s0 (i32.shl (i32.load offset=16 (local.get $dims)) (i32.const 2)))
    (local.set $s1 (i32.shl (i32.load offset=20 (local.get $dims)) (i32.const 2)))
    (local.set $s2 (i32.shl (i32.load offset=24 (local.get $dims)) (i32.const 2)))
    (local.set $s3 (i32.load offset=28 (local.get $dims)))
    (block $d0_done (loop $d0_next
      (br_if $d0_done (i32.ge_u (local.get $i0) (local.get $d0)))
      (local.set $i1 (i32.const 0))
      (block $d1_done (loop $d1_next
        (br_if $d1_done (i32.ge_u (local.get $i1) (local.get $d1)))
        (local.set $i2 (i32.const 0))
        (block $d2_done (loop $d2_next
          (br_if $d2_done (i32.ge_u (local.get $i2) (local.get $d2)))
          (local.set $p (i32.add (local.get $src) (i32.add (i32.add
            (i32.mul (local.get $i0) (local.get $s0)) (i32.mul (local.get $i1) (local.get $s1)))
            (i32.mul (local.get $i2) (local.get $s2)))))
          (call $strided_row (local.get $p) (local.get $s3) (local.get $d3) (local.get $out))
          (local.set $out (i32.add (local.get $out) (i32.shl (local.get $d3) (i32.const 2))))
          (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
          (br $d2_next)))
        (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
        (br $d1_next)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
      (br $d0_next))))
