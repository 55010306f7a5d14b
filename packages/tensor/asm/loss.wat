  ;; Cross-entropy from logits over the rows of a contiguous [rows, classes] block; targets are i32,
  ;; validated by the caller. See CrossEntropyArgs in src/backend/backend.ts.

  (func (export "cross_entropy_f32") (param $x i32) (param $targets i32) (param $losses i32) (param $lse i32)
    (param $rows i32) (param $classes i32) (param $ignore i32) (param $s f32)
    (local $r i32) (local $m f32) (local $lz f32) (local $t i32) (local $mean f32) (local $loss f32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $m (call $row_max (local.get $x) (local.get $classes)))
      (if (f32.eq (local.get $m) (f32.const -inf)) (then (local.set $m (f32.const 0))))
      (local.set $lz (f32.add (local.get $m) (call $logf
        (call $row_exp_sum (local.get $x) (local.get $classes) (local.get $m) (i32.const 0)))))
      (f32.store (i32.add (local.get $lse) (i32.shl (local.get $r) (i32.const 2))) (local.get $lz))
      (local.set $t (i32.load (i32.add (local.get $targets) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $loss (f32.const 0))
      (if (i32.ne (local.get $t) (local.get $ignore))
        (then
          (local.set $mean (f32.div (call $row_sum (local.get $x) (local.get $classes))
            (f32.convert_i32_u (local.get $classes))))
          (local.set $loss (f32.add
            (f32.mul (f32.sub (f32.const 1) (local.get $s))
              (f32.sub (local.get $lz) (f32.load (i32.add (local.get $x) (i32.shl (local.get $t) (i32.const 2))))))
            (f32.mul (local.get $s) (f32.sub (local.get $lz) (local.get $mean)))))))
      (f32.store (i32.add (local.get $losses) (i32.shl (local.get $r) (i32.const 2))) (local.get $loss))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $classes) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))

  ;; dlogits (over the logits) = scale[r]·(exp(x − lse[r]) − s/C), minus scale[r]·(1 − s) at the target;
  ;; zero rows for ignored targets.
  (func (export "cross_entropy_backward_f32") (param $x i32) (param $targets i32) (param $lse i32)
    (param $scale i32) (param $rows i32) (param $classes i32) (param $ignore i32) (param $s f32)
    (local $r i32) (local $t i32) (local $g f32) (local $gv v128) (local $lzv v128) (local $uv v128)
    (local $p i32) (local $end i32) (local $end4 i32) (local $end16 i32) (local $stride i32) (local $tp i32)
    (@lanes 4 (local $v# v128) (local $w# v128)) (@math-locals)
    (local.set $stride (i32.shl (local.get $classes) (i32.const 2)))
    (local.set $uv (f32x4.splat (f32.div (local.get $s) (f32.convert_i32_u (local.get $classes)))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $t (i32.load (i32.add (local.get $targets) (i32.shl (local.get $r) (i32.const 2)))))
      (if (i32.eq (local.get $t) (local.get $ignore))
        (then (memory.fill (local.get $x) (i32.const 0) (local.get $stride)))
        (else
          (local.set $g (f32.load (i32.add (local.get $scale) (i32.shl (local.get $r) (i32.const 2)))))
          (local.set $gv (f32x4.splat (local.get $g)))
          (local.set $lzv (f32x4.splat (f32.load (i32.add (local.get $lse) (i32.shl (local.get $r) (i32.const 2))))))
          (local.set $p (local.get $x))
          (local.set $end (i32.add (local.get $x) (local.get $stride)))
          (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $classes) (i32.const -4))
            (i32.const 2))))
          (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $classes) (i32.const -16))
            (i32.const 2))))
          ;; four vectors per step (see asm/math.wat), then single vectors, then single floats
          (block $wdone (loop $wnext
            (br_if $wdone (i32.ge_u (local.get $p) (local.get $end16)))
            (@lanes 4 (local.set $v# (f32x4.sub (v128.load offset=#*16 (local.get $p)) (local.get $lzv))))
            (@exp-lanes 4 $v $zero $w)
            (@lanes 4 (v128.store offset=#*16 (local.get $p)
              (f32x4.mul (local.get $gv) (f32x4.sub (local.get $w#) (local.get $uv)))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (br $wnext)))
          (block $vdone (loop $vnext
            (br_if $vdone (i32.ge_u (local.get $p) (local.get $end4)))
            (v128.store (local.get $p) (f32x4.mul (local.get $gv) (f32x4.sub
              (call $exp4 (f32x4.sub (v128.load (local.get $p)) (local.get $lzv))) (local.get $uv))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $vnext)))
          (block $tdone (loop $tnext
            (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
            (f32.store (local.get $p) (f32x4.extract_lane 0 (f32x4.mul (local.get $gv) (f32x4.sub
              (call $exp4 (f32x4.sub (f32x4.splat (f32.load (local.get $p))) (local.get $lzv))) (local.get $uv)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $tnext)))
          (local.set $tp (i32.add (local.get $x) (i32.shl (local.get $t) (i32.const 2))))
          (f32.store (local.get $tp) (f32.sub (f32.load (local.get $tp))
            (f32.mul (local.get $g) (f32.sub (f32.const 1) (local.get $s)))))))
      (local.set $x (i32.add (local.get $x) (local.get $stride)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))
