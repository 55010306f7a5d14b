  ;; Softmax / log-softmax over each row of a contiguous [rows, cols] block, in place, and their
  ;; backward from the forward output y (dx written over dy).

  (func (export "softmax_f32") (param $p i32) (param $rows i32) (param $cols i32) (param $log i32)
    (local $r i32) (local $m f32) (local $s f32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $m (call $row_max (local.get $p) (local.get $cols)))
      ;; a fully masked row: exp(-inf - 0) = 0 everywhere, then 0/0 = NaN, as the reference
      (if (f32.eq (local.get $m) (f32.const -inf)) (then (local.set $m (f32.const 0))))
      (if (local.get $log)
        (then
          (local.set $s (call $row_exp_sum (local.get $p) (local.get $cols) (local.get $m) (i32.const 0)))
          (call $row_affine (local.get $p) (local.get $cols) (f32.const 1)
            (f32.neg (f32.add (call $logf (local.get $s)) (local.get $m)))))
        (else
          (local.set $s (call $row_exp_sum (local.get $p) (local.get $cols) (local.get $m) (i32.const 1)))
          (call $row_affine (local.get $p) (local.get $cols) (f32.div (f32.const 1) (local.get $s)) (f32.const 0))))
      (local.set $p (i32.add (local.get $p) (local.get $stride)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))

  ;; softmax: dx = scale·y·(dy − Σ dy·y); log-softmax: dx = dy − exp(y)·Σ dy. dx overwrites dy.
  (func (export "softmax_backward_f32") (param $y i32) (param $dy i32) (param $rows i32) (param $cols i32)
    (param $log i32) (param $scale f32)
    (local $r i32) (local $s f32) (local $sv v128) (local $q i32) (local $d i32) (local $end i32)
    (local $end4 i32) (local $stride i32) (local $v v128) (local $scv v128)
    (local.set $scv (f32x4.splat (local.get $scale)))
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (if (result f32) (local.get $log)
        (then (call $row_sum (local.get $dy) (local.get $cols)))
        (else (call $row_dot (local.get $dy) (local.get $y) (local.get $cols)))))
      (local.set $sv (f32x4.splat (local.get $s)))
      (local.set $q (local.get $y))
      (local.set $d (local.get $dy))
      (local.set $end (i32.add (local.get $d) (local.get $stride)))
      (local.set $end4 (i32.add (local.get $d) (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2))))
      (block $vdone (loop $vnext
        (br_if $vdone (i32.ge_u (local.get $d) (local.get $end4)))
        (local.set $v (v128.load (local.get $q)))
        (v128.store (local.get $d) (if (result v128) (local.get $log)
          (then (f32x4.sub (v128.load (local.get $d)) (f32x4.mul (call $exp4 (local.get $v)) (local.get $sv))))
          (else (f32x4.mul (f32x4.mul (local.get $v) (local.get $scv))
            (f32x4.sub (v128.load (local.get $d)) (local.get $sv))))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $vnext)))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_u (local.get $d) (local.get $end)))
        (local.set $v (f32x4.splat (f32.load (local.get $q))))
        (f32.store (local.get $d) (f32x4.extract_lane 0 (if (result v128) (local.get $log)
          (then (f32x4.sub (f32x4.splat (f32.load (local.get $d)))
            (f32x4.mul (call $exp4 (local.get $v)) (local.get $sv))))
          (else (f32x4.mul (f32x4.mul (local.get $v) (local.get $scv))
            (f32x4.sub (f32x4.splat (f32.load (local.get $d))) (local.get $sv)))))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $tnext)))
      (local.set $y (i32.add (local.get $y) (local.get $stride)))
      (local.set $dy (i32.add (local.get $dy) (local.get $stride)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))

  ;; Attention softmax in place over [batch·L, S] scores: row (b, i) sees keys j < visible, where
  ;; visible = S, or with causal min(S, max(0, i + S − L + 1)); out = softmax(scale·x) over the visible
  ;; keys, 0 beyond; NaN for a row with no visible key.
  (func (export "attention_softmax_f32") (param $p i32) (param $batch i32) (param $L i32) (param $S i32)
    (param $scale f32) (param $causal i32)
    (local $row i32) (local $rows i32) (local $i i32) (local $vis i32) (local $m f32) (local $s f32)
    (local $stride i32)
    (local.set $rows (i32.mul (local.get $batch) (local.get $L)))
    (local.set $stride (i32.shl (local.get $S) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $i (i32.rem_u (local.get $row) (local.get $L)))
      (local.set $vis (local.get $S))
      (if (local.get $causal)
        (then
          (local.set $vis (i32.add (i32.sub (local.get $i) (local.get $L)) (i32.add (local.get $S) (i32.const 1))))
          (if (i32.lt_s (local.get $vis) (i32.const 0)) (then (local.set $vis (i32.const 0))))
          (if (i32.gt_s (local.get $vis) (local.get $S)) (then (local.set $vis (local.get $S))))))
      (if (i32.eqz (local.get $vis))
        (then (call $row_fill (local.get $p) (local.get $S) (f32.const nan)))
        (else
          (call $row_affine (local.get $p) (local.get $vis) (local.get $scale) (f32.const 0))
          (local.set $m (call $row_max (local.get $p) (local.get $vis)))
          (if (f32.eq (local.get $m) (f32.const -inf)) (then (local.set $m (f32.const 0))))
          (local.set $s (call $row_exp_sum (local.get $p) (local.get $vis) (local.get $m) (i32.const 1)))
          (call $row_affine (local.get $p) (local.get $vis) (f32.div (f32.const 1) (local.get $s)) (f32.const 0))
          (call $row_fill (i32.add (local.get $p) (i32.shl (local.get $vis) (i32.const 2)))
            (i32.sub (local.get $S) (local.get $vis)) (f32.const 0))))
      (local.set $p (i32.add (local.get $p) (local.get $stride)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $next))))
