  ;; Elementwise float32 functions of two arguments over a [rows, cols] grid: element (r, j) of an
  ;; operand is at base + (r·rs + j·cs)·4 with cs 0 (broadcast along the row) or 1; out is contiguous.
  ;; Op codes: 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum (NaN propagates).

  (func $binary4 (param $op i32) (param $a v128) (param $b v128) (result v128)
    (block $minimum (block $maximum (block $div (block $mul (block $sub (block $add
      (br_table $add $sub $mul $div $maximum $minimum $minimum (local.get $op)))
      (return (f32x4.add (local.get $a) (local.get $b))))
      (return (f32x4.sub (local.get $a) (local.get $b))))
      (return (f32x4.mul (local.get $a) (local.get $b))))
      (return (f32x4.div (local.get $a) (local.get $b))))
      (return (f32x4.max (local.get $a) (local.get $b))))
    (f32x4.min (local.get $a) (local.get $b)))

  (func (export "binary_f32") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $rows i32)
    (param $cols i32) (param $ars i32) (param $brs i32) (param $acs i32) (param $bcs i32)
    (local $r i32) (local $pa i32) (local $pb i32) (local $o i32) (local $end i32) (local $end4 i32)
    (local $sa i32) (local $sb i32) (local $va v128) (local $vb v128)
    ;; byte steps per vector (16 or 0) and per element (4 or 0)
    (local.set $sa (i32.shl (local.get $acs) (i32.const 4)))
    (local.set $sb (i32.shl (local.get $bcs) (i32.const 4)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $ars)) (i32.const 2))))
      (local.set $pb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $r) (local.get $brs)) (i32.const 2))))
      (local.set $end (i32.add (local.get $out) (i32.shl (local.get $cols) (i32.const 2))))
      (local.set $end4 (i32.add (local.get $out) (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2))))
      (local.set $va (v128.load32_splat (local.get $pa)))
      (local.set $vb (v128.load32_splat (local.get $pb)))
      (block $vdone (loop $vnext
        (br_if $vdone (i32.ge_u (local.get $out) (local.get $end4)))
        (if (local.get $acs) (then (local.set $va (v128.load (local.get $pa)))))
        (if (local.get $bcs) (then (local.set $vb (v128.load (local.get $pb)))))
        (v128.store (local.get $out) (call $binary4 (local.get $op) (local.get $va) (local.get $vb)))
        (local.set $pa (i32.add (local.get $pa) (local.get $sa)))
        (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $vnext)))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out) (f32x4.extract_lane 0 (call $binary4 (local.get $op)
          (v128.load32_splat (local.get $pa)) (v128.load32_splat (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $acs) (i32.const 2))))
        (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $bcs) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tnext)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))
