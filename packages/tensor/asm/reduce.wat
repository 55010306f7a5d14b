  ;; Reductions of each row of a contiguous [outer, inner] float32 block into out[outer] (float32).
  ;; Op codes: 0 sum (accumulated in float64, as the reference), 1 max, 2 min (NaN propagates).

  (func $row_sum_f64 (param $p i32) (param $n i32) (result f64)
    (local $a v128) (local $b v128) (local $v v128) (local $end i32) (local $end4 i32) (local $s f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (local.set $v (v128.load (local.get $p)))
      (local.set $a (f64x2.add (local.get $a) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $b (f64x2.add (local.get $b) (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (local.get $s))

  ;; Smallest value of the row (NaN if any is NaN).
  (func $row_min (param $p i32) (param $n i32) (result f32)
    (local $acc v128) (local $end i32) (local $end4 i32) (local $m f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $acc (v128.const f32x4 inf inf inf inf))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (local.set $acc (f32x4.min (local.get $acc) (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.set $m (f32.min
      (f32.min (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.min (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $m (f32.min (local.get $m) (f32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (local.get $m))

  (func (export "reduce_f32") (param $op i32) (param $x i32) (param $out i32) (param $outer i32) (param $inner i32)
    (local $r i32) (local $v f32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $outer)))
      (local.set $v (if (result f32) (i32.eqz (local.get $op))
        (then (f32.demote_f64 (call $row_sum_f64 (local.get $x) (local.get $inner))))
        (else (if (result f32) (i32.eq (local.get $op) (i32.const 1))
          (then (call $row_max (local.get $x) (local.get $inner)))
          (else (call $row_min (local.get $x) (local.get $inner)))))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $v))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $inner) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))
