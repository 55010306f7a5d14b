  ;; Elementwise float32 functions of one argument, in place over n floats at p (n a multiple of 4;
  ;; the caller pads). Op codes (see src/backend/wasm/elementwise.ts):
  ;;  0 neg, 1 exp, 2 log, 3 sqrt, 4 rsqrt, 5 tanh, 6 sigmoid, 7 relu, 8 gelu, 9 geluTanh, 10 silu,
  ;;  11 abs, 12 sign, 13 square, 14 reciprocal, 15 floor, 16 ceil, 17 round (half to even), 18 erf.

  ;; erf: a Taylor series for |x| < 0.5 (keeps relative precision near 0), 1 - erfc(x) beyond.
  (func $erf4 (param $x v128) (result v128)
    (local $z v128) (local $p v128)
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $p (v128.const f32x4 -0.0008548327023450852 -0.0008548327023450852 -0.0008548327023450852
      -0.0008548327023450852))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z)
      (v128.const f32x4 0.005223977625442188 0.005223977625442188 0.005223977625442188 0.005223977625442188)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z)
      (v128.const f32x4 -0.026866170645131252 -0.026866170645131252 -0.026866170645131252
        -0.026866170645131252)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z)
      (v128.const f32x4 0.11283791670955126 0.11283791670955126 0.11283791670955126 0.11283791670955126)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z)
      (v128.const f32x4 -0.37612638903183754 -0.37612638903183754 -0.37612638903183754
        -0.37612638903183754)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z)
      (v128.const f32x4 1.1283791670955126 1.1283791670955126 1.1283791670955126 1.1283791670955126)))
    (v128.bitselect (f32x4.mul (local.get $p) (local.get $x))
      (f32x4.sub (v128.const f32x4 1 1 1 1) (call $erfc4 (local.get $x)))
      (f32x4.lt (f32x4.abs (local.get $x)) (v128.const f32x4 0.5 0.5 0.5 0.5))))

  ;; GELU 0.5·x·erfc(-x/√2).
  (func $gelu4 (param $x v128) (result v128)
    (f32x4.mul (f32x4.mul (local.get $x) (v128.const f32x4 0.5 0.5 0.5 0.5))
      (call $erfc4 (f32x4.mul (local.get $x)
        (v128.const f32x4 -0.7071067811865476 -0.7071067811865476 -0.7071067811865476 -0.7071067811865476)))))

  ;; GELU, tanh form: 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), u = √(2/π)·(x + 0.044715·x³).
  (func $gelu_tanh4 (param $x v128) (result v128)
    (local $u v128)
    (local.set $u (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $u (f32x4.relaxed_madd (local.get $u) (v128.const f32x4 0.044715 0.044715 0.044715 0.044715)
      (v128.const f32x4 1 1 1 1)))
    (local.set $u (f32x4.mul (f32x4.mul (local.get $u) (local.get $x))
      (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308)))
    (f32x4.mul (local.get $x) (call $sigmoid4 (local.get $u))))

  (func $unary4 (param $op i32) (param $x v128) (result v128)
    (block $erf (block $round (block $ceil (block $floor (block $reciprocal (block $square (block $sign
    (block $abs (block $silu (block $gelu_tanh (block $gelu (block $relu (block $sigmoid (block $tanh
    (block $rsqrt (block $sqrt (block $log (block $exp (block $neg
      (br_table $neg $exp $log $sqrt $rsqrt $tanh $sigmoid $relu $gelu $gelu_tanh $silu $abs $sign $square
        $reciprocal $floor $ceil $round $erf $erf (local.get $op)))
      (return (f32x4.neg (local.get $x))))
      (return (call $exp4 (local.get $x))))
      (return (call $log4 (local.get $x))))
      (return (f32x4.sqrt (local.get $x))))
      (return (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.sqrt (local.get $x)))))
      (return (call $tanh4 (local.get $x))))
      (return (call $sigmoid4 (local.get $x))))
      (return (f32x4.max (local.get $x) (v128.const f32x4 0 0 0 0))))
      (return (call $gelu4 (local.get $x))))
      (return (call $gelu_tanh4 (local.get $x))))
      (return (f32x4.mul (local.get $x) (call $sigmoid4 (local.get $x)))))
      (return (f32x4.abs (local.get $x))))
      ;; sign: 1 / -1, and x itself for 0, -0 and NaN
      (return (v128.bitselect (v128.const f32x4 1 1 1 1)
        (v128.bitselect (v128.const f32x4 -1 -1 -1 -1) (local.get $x)
          (f32x4.lt (local.get $x) (v128.const f32x4 0 0 0 0)))
        (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0)))))
      (return (f32x4.mul (local.get $x) (local.get $x))))
      (return (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $x))))
      (return (f32x4.floor (local.get $x))))
      (return (f32x4.ceil (local.get $x))))
      (return (f32x4.nearest (local.get $x))))
    (call $erf4 (local.get $x)))

  (func (export "unary_f32") (param $op i32) (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (call $unary4 (local.get $op) (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next))))
