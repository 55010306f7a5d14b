  ;; Float32 special functions on f32x4 lanes, accurate to a few ulp (Cephes-style range reduction and
  ;; polynomials). NaN propagates, infinities map to their limits.
  ;;
  ;; Speed: each function's work per vector is one long dependency chain (range reduction, polynomial,
  ;; scaling), and V8 does not inline wasm calls (each call rematerialises its constants and spills). So
  ;; the functions are macros (see scripts/build-wasm.mjs) that kernels expand inside their loops, over
  ;; L independent vectors at once (lane templates: `$x#` is $x0 .. $x(L−1)); kernels use L = 4, which
  ;; gives the CPU four chains to overlap. Polynomials use Estrin's scheme (shorter chains than Horner
  ;; for the same operations); clamps use pmin/pmax (one instruction each; NaN passes when it is the
  ;; first operand). Macros read their inputs and write their outputs through the caller's locals and
  ;; use the temporaries that `(@math-locals)` declares; an output may not be an input.

  (@macro math-locals ()
    (@lanes 4
      (local $zero# v128)
      (local $exp.a# v128) (local $exp.j# v128) (local $exp.n# v128) (local $exp.r# v128)
      (local $exp.r2# v128) (local $exp.h# v128)
      (local $log.v# v128) (local $log.e# v128) (local $log.m# v128) (local $log.z# v128)
      (local $log.small# v128) (local $log.lt# v128)
      (local $tanh.z# v128) (local $tanh.z2# v128) (local $tanh.p# v128) (local $tanh.a# v128)
      (local $tanh.e# v128) (local $sig.a# v128) (local $sig.e# v128)
      (local $phi.ax# v128) (local $phi.xh# v128) (local $phi.t# v128) (local $phi.u# v128)
      (local $phi.u2# v128) (local $phi.r# v128) (local $phi.hi# v128) (local $phi.lo# v128)
      (local $phi.w# v128) (local $phi.w2# v128) (local $phi.m# v128) (local $phi.q# v128) (local $phi.e# v128)
      (local $phi.s# v128)))

  ;; y = e^(a+b), b a small correction to a ($zero for plain e^a; lets a caller pass an exactly split
  ;; argument). a + b = n·ln2 + r with |r| <= ln2/2, n rounded by adding 1.5·2^23 (whose float bits
  ;; then hold n); e^r = 1 + r + r²·P(r), P of degree 5; 2^n applied as 2^h·2^(n−h), h = n >> 1, so
  ;; results from the smallest subnormal up to FLT_MAX come out right. a is clamped to [−104, 89]:
  ;; e^−104 rounds to 0 and anything past ln(FLT_MAX) overflows to inf through the scaling.
  (@macro exp-lanes ($L $a $b $y)
    (@lanes $L
      (local.set $exp.a# (f32x4.pmin (f32x4.pmax (local.get $a#) (v128.const f32x4 -104 -104 -104 -104))
        (v128.const f32x4 89 89 89 89)))
      (local.set $exp.j# (f32x4.relaxed_madd (f32x4.add (local.get $exp.a#) (local.get $b#))
        (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)
        (v128.const f32x4 12582912 12582912 12582912 12582912)))
      (local.set $exp.n# (f32x4.sub (local.get $exp.j#) (v128.const f32x4 12582912 12582912 12582912 12582912)))
      (local.set $exp.r# (f32x4.add (f32x4.relaxed_madd (local.get $exp.n#)
        (v128.const f32x4 -0.693359375 -0.693359375 -0.693359375 -0.693359375) (local.get $exp.a#))
        (local.get $b#)))
      (local.set $exp.r# (f32x4.relaxed_madd (local.get $exp.n#)
        (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4) (local.get $exp.r#)))
      (local.set $exp.r2# (f32x4.mul (local.get $exp.r#) (local.get $exp.r#)))
      ;; P = (c0 + c1·r) + r²·((c2 + c3·r) + r²·(c4 + c5·r))
      (local.set $y# (f32x4.relaxed_madd (local.get $exp.r2#)
        (f32x4.relaxed_madd (local.get $exp.r#)
          (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4)
          (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
        (f32x4.relaxed_madd (local.get $exp.r#)
          (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)
          (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))))
      (local.set $y# (f32x4.relaxed_madd (local.get $exp.r2#) (local.get $y#)
        (f32x4.relaxed_madd (local.get $exp.r#)
          (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)
          (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))))
      (local.set $y# (f32x4.add (f32x4.relaxed_madd (local.get $y#) (local.get $exp.r2#) (local.get $exp.r#))
        (v128.const f32x4 1 1 1 1)))
      ;; the bits of j are 0x4b400000 + n: shifting them left by 23 leaves n << 23 (likewise for h)
      (local.set $exp.h# (i32x4.shr_s (local.get $exp.j#) (i32.const 1)))
      (local.set $y# (f32x4.mul (local.get $y#)
        (i32x4.add (i32x4.shl (local.get $exp.h#) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000
          0x3f800000 0x3f800000))))
      (local.set $y# (f32x4.mul (local.get $y#)
        (i32x4.add (i32x4.shl (i32x4.sub (local.get $exp.j#) (local.get $exp.h#)) (i32.const 23))
          (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))))

  ;; e^x of one vector (row tails and the few one-vector callers).
  (func $exp4 (param $x0 v128) (result v128)
    (local $y0 v128) (@math-locals)
    (@exp-lanes 1 $x $zero $y)
    (local.get $y0))

  ;; y = log(x): x = m·2^e with m in [√½, √2), log(m) by a degree-9 polynomial in m−1. Subnormals are
  ;; scaled up first; log(±0) = −inf, log(x<0) = NaN, log(inf) = inf (those cases take sqrt(x), which is
  ;; NaN, inf or ±0, and ±0 becomes −inf).
  (@macro log-lanes ($L $x $y)
    (@lanes $L
      (local.set $log.small# (f32x4.lt (local.get $x#) (v128.const f32x4 1.17549435e-38 1.17549435e-38
        1.17549435e-38 1.17549435e-38)))
      (local.set $log.v# (v128.bitselect (f32x4.mul (local.get $x#) (v128.const f32x4 8388608 8388608 8388608
        8388608)) (local.get $x#) (local.get $log.small#)))
      (local.set $log.e# (f32x4.sub (f32x4.convert_i32x4_s (i32x4.sub (i32x4.shr_u (local.get $log.v#)
        (i32.const 23)) (v128.const i32x4 126 126 126 126)))
        (v128.and (local.get $log.small#) (v128.const f32x4 23 23 23 23))))
      ;; m in [0.5, 1); m < √½: m = 2m − 1, e −= 1; else m = m − 1
      (local.set $log.m# (v128.or (v128.and (local.get $log.v#) (v128.const i32x4 0x007fffff 0x007fffff
        0x007fffff 0x007fffff)) (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000)))
      (local.set $log.lt# (f32x4.lt (local.get $log.m#) (v128.const f32x4 0.707106781186547524
        0.707106781186547524 0.707106781186547524 0.707106781186547524)))
      (local.set $log.e# (f32x4.sub (local.get $log.e#) (v128.and (local.get $log.lt#)
        (v128.const f32x4 1 1 1 1))))
      (local.set $log.m# (f32x4.sub (f32x4.add (local.get $log.m#) (v128.and (local.get $log.lt#)
        (local.get $log.m#))) (v128.const f32x4 1 1 1 1)))
      (local.set $log.z# (f32x4.mul (local.get $log.m#) (local.get $log.m#)))
      ;; y = Σ c_k·m^k, k = 0..8, as [(c0 + c1m) + z(c2 + c3m)] + z²[(c4 + c5m) + z(c6 + c7m) + z²·c8]
      (local.set $y# (f32x4.relaxed_madd (local.get $log.z#)
        (f32x4.relaxed_madd (local.get $log.m#)
          (v128.const f32x4 -1.1514610310e-1 -1.1514610310e-1 -1.1514610310e-1 -1.1514610310e-1)
          (v128.const f32x4 1.1676998740e-1 1.1676998740e-1 1.1676998740e-1 1.1676998740e-1))
        (f32x4.relaxed_madd (local.get $log.m#)
          (v128.const f32x4 -1.2420140846e-1 -1.2420140846e-1 -1.2420140846e-1 -1.2420140846e-1)
          (v128.const f32x4 1.4249322787e-1 1.4249322787e-1 1.4249322787e-1 1.4249322787e-1))))
      (local.set $y# (f32x4.relaxed_madd (f32x4.mul (local.get $log.z#) (local.get $log.z#))
        (f32x4.relaxed_madd (f32x4.mul (local.get $log.z#) (local.get $log.z#))
          (v128.const f32x4 7.0376836292e-2 7.0376836292e-2 7.0376836292e-2 7.0376836292e-2)
          (local.get $y#))
        (f32x4.relaxed_madd (local.get $log.z#)
          (f32x4.relaxed_madd (local.get $log.m#)
            (v128.const f32x4 -1.6668057665e-1 -1.6668057665e-1 -1.6668057665e-1 -1.6668057665e-1)
            (v128.const f32x4 2.0000714765e-1 2.0000714765e-1 2.0000714765e-1 2.0000714765e-1))
          (f32x4.relaxed_madd (local.get $log.m#)
            (v128.const f32x4 -2.4999993993e-1 -2.4999993993e-1 -2.4999993993e-1 -2.4999993993e-1)
            (v128.const f32x4 3.3333331174e-1 3.3333331174e-1 3.3333331174e-1 3.3333331174e-1)))))
      (local.set $y# (f32x4.mul (local.get $y#) (f32x4.mul (local.get $log.m#) (local.get $log.z#))))
      (local.set $y# (f32x4.relaxed_madd (local.get $log.e#)
        (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4) (local.get $y#)))
      (local.set $y# (f32x4.relaxed_madd (local.get $log.z#) (v128.const f32x4 -0.5 -0.5 -0.5 -0.5)
        (local.get $y#)))
      (local.set $y# (f32x4.relaxed_madd (local.get $log.e#)
        (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)
        (f32x4.add (local.get $log.m#) (local.get $y#))))
      (local.set $log.v# (f32x4.sqrt (local.get $x#)))
      (local.set $log.v# (v128.bitselect (v128.const f32x4 -inf -inf -inf -inf) (local.get $log.v#)
        (f32x4.eq (local.get $log.v#) (v128.const f32x4 0 0 0 0))))
      (local.set $y# (v128.bitselect (local.get $y#) (local.get $log.v#)
        (v128.and (f32x4.gt (local.get $x#) (v128.const f32x4 0 0 0 0))
          (f32x4.lt (local.get $x#) (v128.const f32x4 inf inf inf inf)))))))

  ;; log of one vector (scalars through `$logf`).
  (func $log4 (param $x0 v128) (result v128)
    (local $y0 v128) (@math-locals)
    (@log-lanes 1 $x $y)
    (local.get $y0))

  ;; y = tanh(x): x + x³·P(x²) for |x| < 0.625, else sign(x)·(1 − 2/(e^(2|x|) + 1)).
  (@macro tanh-lanes ($L $x $y)
    (@lanes $L
      (local.set $tanh.z# (f32x4.mul (local.get $x#) (local.get $x#)))
      (local.set $tanh.z2# (f32x4.mul (local.get $tanh.z#) (local.get $tanh.z#)))
      (local.set $tanh.p# (f32x4.relaxed_madd (local.get $tanh.z2#)
        (f32x4.relaxed_madd (local.get $tanh.z2#)
          (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3)
          (f32x4.relaxed_madd (local.get $tanh.z#)
            (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)
            (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
        (f32x4.relaxed_madd (local.get $tanh.z#)
          (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)
          (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1))))
      (local.set $tanh.p# (f32x4.relaxed_madd (f32x4.mul (local.get $tanh.p#) (local.get $tanh.z#))
        (local.get $x#) (local.get $x#)))
      (local.set $tanh.a# (v128.and (local.get $x#)
        (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
      (local.set $tanh.a# (f32x4.add (local.get $tanh.a#) (local.get $tanh.a#))))
    (@exp-lanes $L $tanh.a $zero $tanh.e)
    (@lanes $L
      ;; 1 − 2/(e + 1) with the sign of x
      (local.set $tanh.e# (v128.or (f32x4.sub (v128.const f32x4 1 1 1 1)
        (f32x4.div (v128.const f32x4 2 2 2 2) (f32x4.add (local.get $tanh.e#) (v128.const f32x4 1 1 1 1))))
        (v128.and (local.get $x#) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
      (local.set $y# (v128.bitselect (local.get $tanh.p#) (local.get $tanh.e#)
        (f32x4.lt (local.get $tanh.a#) (v128.const f32x4 1.25 1.25 1.25 1.25))))))

  ;; y = 1/(1 + e^−x), the logistic sigmoid, from e^−|x| so neither tail loses precision.
  (@macro sigmoid-lanes ($L $x $y)
    (@lanes $L (local.set $sig.a# (v128.or (local.get $x#)
      (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (@exp-lanes $L $sig.a $zero $sig.e)
    (@lanes $L
      (local.set $y# (f32x4.div (v128.const f32x4 1 1 1 1)
        (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sig.e#))))
      (local.set $y# (v128.bitselect (f32x4.mul (local.get $sig.e#) (local.get $y#)) (local.get $y#)
        (f32x4.lt (local.get $x#) (v128.const f32x4 0 0 0 0))))))
