  ;; Row helpers shared by the row-wise kernels (softmax, norms, cross-entropy): horizontal sums and
  ;; maxima, and reductions over one contiguous row of n floats (any n; a scalar loop takes the tail).

  (func $hsum4 (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func $hmax4 (param $v v128) (result f32)
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Largest value of the row (NaN if any is NaN).
  (func $row_max (param $p i32) (param $n i32) (result f32)
    (local $acc v128) (local $end i32) (local $end4 i32) (local $m f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $acc (v128.const f32x4 -inf -inf -inf -inf))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (local.set $acc (f32x4.max (local.get $acc) (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.set $m (call $hmax4 (local.get $acc)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $m (f32.max (local.get $m) (f32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (local.get $m))

  ;; Sum of the row (two vector accumulators).
  (func $row_sum (param $p i32) (param $n i32) (result f32)
    (local $a v128) (local $b v128) (local $end i32) (local $end8 i32) (local $s f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end8 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end8)))
      (local.set $a (f32x4.add (local.get $a) (v128.load (local.get $p))))
      (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $next)))
    (local.set $s (call $hsum4 (f32x4.add (local.get $a) (local.get $b))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (local.get $s))

  ;; Σ (x - c)² over the row.
  (func $row_sq_dev (param $p i32) (param $n i32) (param $c f32) (result f32)
    (local $acc v128) (local $cv v128) (local $d v128) (local $end i32) (local $end4 i32) (local $s f32)
    (local $e f32)
    (local.set $cv (f32x4.splat (local.get $c)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (local.set $d (f32x4.sub (v128.load (local.get $p)) (local.get $cv)))
      (local.set $acc (f32x4.relaxed_madd (local.get $d) (local.get $d) (local.get $acc)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.set $s (call $hsum4 (local.get $acc)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $e (f32.sub (f32.load (local.get $p)) (local.get $c)))
      (local.set $s (f32.add (local.get $s) (f32.mul (local.get $e) (local.get $e))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (local.get $s))

  ;; Σ a·b over two rows.
  (func $row_dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $acc v128) (local $end i32) (local $end4 i32) (local $s f32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end4)))
      (local.set $acc (f32x4.relaxed_madd (v128.load (local.get $a)) (v128.load (local.get $b)) (local.get $acc)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br $next)))
    (local.set $s (call $hsum4 (local.get $acc)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br $next)))
    (local.get $s))

  ;; Σ exp(x - c) over the row; with store, each exp(x - c) is written over x. Four vectors per step
  ;; (see asm/math.wat), then single vectors, then single floats.
  (func $row_exp_sum (param $p i32) (param $n i32) (param $c f32) (param $store i32) (result f32)
    (local $cv v128) (local $e v128) (local $end i32) (local $end4 i32) (local $end16 i32) (local $s f32)
    (@lanes 4 (local $x# v128) (local $y# v128) (local $acc# v128)) (@math-locals)
    (local.set $cv (f32x4.splat (local.get $c)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end16)))
      (@lanes 4 (local.set $x# (f32x4.sub (v128.load offset=#*16 (local.get $p)) (local.get $cv))))
      (@exp-lanes 4 $x $zero $y)
      (if (local.get $store) (then (@lanes 4 (v128.store offset=#*16 (local.get $p) (local.get $y#)))))
      (@lanes 4 (local.set $acc# (f32x4.add (local.get $acc#) (local.get $y#))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $next)))
    (local.set $acc0 (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1))
      (f32x4.add (local.get $acc2) (local.get $acc3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $p)) (local.get $cv))))
      (if (local.get $store) (then (v128.store (local.get $p) (local.get $e))))
      (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $e)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.set $s (call $hsum4 (local.get $acc0)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $e (call $exp4 (f32x4.splat (f32.sub (f32.load (local.get $p)) (local.get $c)))))
      (if (local.get $store) (then (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $e)))))
      (local.set $s (f32.add (local.get $s) (f32x4.extract_lane 0 (local.get $e))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (local.get $s))

  ;; x = x·a + b over the row.
  (func $row_affine (param $p i32) (param $n i32) (param $a f32) (param $b f32)
    (local $av v128) (local $bv v128) (local $end i32) (local $end4 i32)
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $bv (f32x4.splat (local.get $b)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
      (v128.store (local.get $p) (f32x4.relaxed_madd (v128.load (local.get $p)) (local.get $av) (local.get $bv)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (f32.store (local.get $p) (f32.add (f32.mul (f32.load (local.get $p)) (local.get $a)) (local.get $b)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next))))

  ;; Scalar natural log through the vector routine.
  (func $logf (param $x f32) (result f32)
    (f32x4.extract_lane 0 (call $log4 (f32x4.splat (local.get $x)))))

  ;; Sets n floats at p to v.
  (func $row_fill (param $p i32) (param $n i32) (param $v f32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (f32.store (local.get $p) (local.get $v))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next))))
