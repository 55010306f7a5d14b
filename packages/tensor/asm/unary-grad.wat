  ;; Activation derivatives: dy = dy·f'(x) in place over n floats (n a multiple of 4).
  ;; Op codes: 0 gelu, 1 geluTanh, 2 silu, 3 relu, 4 sigmoid, 5 tanh.

  ;; f'(x) (relu: a mask of ones, applied by the caller with `and` so that 0 stays 0 for any dy)
  (func $unary_grad4 (param $op i32) (param $x v128) (result v128)
    (local $s v128) (local $t v128) (local $u v128) (local $x2 v128)
    (block $tanh (block $sigmoid (block $relu (block $silu (block $gelu_tanh (block $gelu
      (br_table $gelu $gelu_tanh $silu $relu $sigmoid $tanh $tanh (local.get $op)))
      ;; Φ(x) + x·φ(x)
      (return (f32x4.relaxed_madd
        (f32x4.mul (local.get $x) (call $exp4 (f32x4.mul (f32x4.mul (local.get $x) (local.get $x))
          (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))))
        (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327)
        (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5) (call $erfc4 (f32x4.mul (local.get $x)
          (v128.const f32x4 -0.7071067811865476 -0.7071067811865476 -0.7071067811865476
            -0.7071067811865476)))))))
      ;; s + 2x·s(1−s)·c(1 + 3a·x²) with s = sigmoid(2u), u = c(x + a·x³)
      (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
      (local.set $u (f32x4.mul (local.get $x) (f32x4.relaxed_madd (local.get $x2)
        (v128.const f32x4 0.044715 0.044715 0.044715 0.044715) (v128.const f32x4 1 1 1 1))))
      (local.set $s (call $sigmoid4 (f32x4.mul (local.get $u)
        (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308))))
      (return (f32x4.relaxed_madd
        (f32x4.mul (f32x4.mul (local.get $x) (local.get $s)) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s)))
        (f32x4.relaxed_madd (local.get $x2)
          (v128.const f32x4 0.21406444881780076 0.21406444881780076 0.21406444881780076 0.21406444881780076)
          (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308))
        (local.get $s))))
      ;; s·(1 + x·(1 − s))
      (local.set $s (call $sigmoid4 (local.get $x)))
      (return (f32x4.mul (local.get $s) (f32x4.relaxed_madd (local.get $x)
        (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s)) (v128.const f32x4 1 1 1 1)))))
      ;; all-ones lanes where x > 0
      (return (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0))))
      (local.set $s (call $sigmoid4 (local.get $x)))
      (return (f32x4.mul (local.get $s) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s)))))
    (local.set $t (call $tanh4 (local.get $x)))
    (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $t) (local.get $t))))

  (func (export "unary_backward_f32") (param $op i32) (param $x i32) (param $dy i32) (param $n i32)
    (local $i i32) (local $end i32) (local $d v128) (local $f v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $d (v128.load (i32.add (local.get $dy) (local.get $i))))
      (local.set $f (call $unary_grad4 (local.get $op) (v128.load (i32.add (local.get $x) (local.get $i)))))
      (v128.store (i32.add (local.get $dy) (local.get $i)) (if (result v128) (i32.eq (local.get $op) (i32.const 3))
        (then (v128.and (local.get $f) (local.get $d)))
        (else (f32x4.mul (local.get $f) (local.get $d)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))
