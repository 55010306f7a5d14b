  ;; The standard normal CDF Φ(x), for GELU x·Φ(x), its derivative Φ(x) + x·φ(x), and
  ;; erf(z) = 2·Φ(z·√2) − 1, on four vectors at a time (macros, like asm/math.wat). Two pieces:
  ;;
  ;;  - phi-mid: Φ(x) − 1/2 = x·S(x²) for |x| < 1.25, S a degree-6 minimax fit (relative 2.3e-10), so
  ;;    erf keeps its relative precision near 0 and Φ its absolute precision near 1/2;
  ;;  - phi-gauss, phi-ratio: Φ(−|x|) = t·e^(−x²/2)·R(t), t = 1/(1 + |x|/2), for |x| >= 1.25, R a
  ;;    degree-7 minimax fit in t − 0.4 (relative 1.8e-8; float32 rounding, mostly of t, brings it to
  ;;    ~3e-7). One exp and one division, and e^(−x²/2) comes out too (φ for the derivative). x² is
  ;;    split exactly (x = xh + xl, xh with 12 significant bits so xh² is exact) and
  ;;    e^(−xh²/2 − xl·(x + xh)/2) is taken without rounding the sum, so the far negative tail keeps its
  ;;    relative precision (rounding x² would cost ~x²·2^−24: 7.5e-6 relative at x = −10).
  ;; The tail piece is only computed when one of the 16 floats needs it (|x| >= 1.25 or NaN): activations
  ;; mostly lie in the middle, where that skips the division and most of the polynomial work. Both paths
  ;; give a middle lane the same value, so a result never depends on its neighbours.
  ;; Coefficients: minimax fits against mpmath, printed by tooling/fixtures/normal_cdf_coefficients.py.

  ;; m = x·S(x²) = Φ(x) − 1/2, accurate for |x| < 1.25 (S stays in $phi.s).
  (@macro phi-mid ($x $m)
    (@lanes 4
      (local.set $phi.w# (f32x4.mul (local.get $x#) (local.get $x#)))
      (local.set $phi.w2# (f32x4.mul (local.get $phi.w#) (local.get $phi.w#)))
      ;; S = (a0 + a1w) + w²·((a2 + a3w) + w²·((a4 + a5w) + w²·a6))
      (local.set $m# (f32x4.relaxed_madd (local.get $phi.w2#)
        (f32x4.relaxed_madd (local.get $phi.w2#)
          (v128.const f32x4 4.76079407008001e-7 4.76079407008001e-7 4.76079407008001e-7 4.76079407008001e-7)
          (f32x4.relaxed_madd (local.get $phi.w#)
            (v128.const f32x4 -9.058465366251767e-6 -9.058465366251767e-6 -9.058465366251767e-6
              -9.058465366251767e-6)
            (v128.const f32x4 1.1503220594022423e-4 1.1503220594022423e-4 1.1503220594022423e-4
              1.1503220594022423e-4)))
        (f32x4.relaxed_madd (local.get $phi.w#)
          (v128.const f32x4 -1.1871096212416887e-3 -1.1871096212416887e-3 -1.1871096212416887e-3
            -1.1871096212416887e-3)
          (v128.const f32x4 9.973499923944473e-3 9.973499923944473e-3 9.973499923944473e-3
            9.973499923944473e-3))))
      (local.set $phi.s# (f32x4.relaxed_madd (local.get $phi.w2#) (local.get $m#)
        (f32x4.relaxed_madd (local.get $phi.w#)
          (v128.const f32x4 -6.649037450551987e-2 -6.649037450551987e-2 -6.649037450551987e-2
            -6.649037450551987e-2)
          (v128.const f32x4 0.3989422917366028 0.3989422917366028 0.3989422917366028 0.3989422917366028))))
      (local.set $m# (f32x4.mul (local.get $x#) (local.get $phi.s#)))))

  ;; ax = min(|x|, 14.5) (past 14.5, Φ(−|x|) and e^(−x²/2) are 0 in float32), and the i32 "some lane
  ;; needs the tail piece": |x| >= 1.25 or NaN.
  (@macro phi-abs ($x)
    (@lanes 4 (local.set $phi.ax# (f32x4.pmin (v128.and (local.get $x#)
      (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)) (v128.const f32x4 14.5 14.5 14.5 14.5)))))
  (@macro phi-some-tail ()
    (i32.eqz (i32x4.all_true (v128.and
      (v128.and (f32x4.lt (local.get $phi.ax0) (v128.const f32x4 1.25 1.25 1.25 1.25))
        (f32x4.lt (local.get $phi.ax1) (v128.const f32x4 1.25 1.25 1.25 1.25)))
      (v128.and (f32x4.lt (local.get $phi.ax2) (v128.const f32x4 1.25 1.25 1.25 1.25))
        (f32x4.lt (local.get $phi.ax3) (v128.const f32x4 1.25 1.25 1.25 1.25)))))))

  ;; e = e^(−ax²/2), with ax² split exactly: e^(−xh²/2 + (−xl/2)·(ax + xh)), xl = ax − xh.
  (@macro phi-gauss ($e)
    (@lanes 4
      (local.set $phi.xh# (v128.and (local.get $phi.ax#)
        (v128.const i32x4 0xfffff000 0xfffff000 0xfffff000 0xfffff000)))
      (local.set $phi.hi# (f32x4.mul (f32x4.mul (local.get $phi.xh#) (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))
        (local.get $phi.xh#)))
      (local.set $phi.lo# (f32x4.mul (f32x4.mul (f32x4.sub (local.get $phi.ax#) (local.get $phi.xh#))
        (v128.const f32x4 -0.5 -0.5 -0.5 -0.5)) (f32x4.add (local.get $phi.ax#) (local.get $phi.xh#)))))
    (@exp-lanes 4 $phi.hi $phi.lo $e))

  ;; q = Φ(−ax) = t·R(t)·e, accurate relative to its value for ax >= 1.25; e from phi-gauss.
  (@macro phi-ratio ($e $q)
    (@lanes 4
      (local.set $phi.t# (f32x4.div (v128.const f32x4 1 1 1 1)
        (f32x4.relaxed_madd (local.get $phi.ax#) (v128.const f32x4 0.5 0.5 0.5 0.5) (v128.const f32x4 1 1 1 1))))
      (local.set $phi.u# (f32x4.sub (local.get $phi.t#) (v128.const f32x4 0.4 0.4 0.4 0.4)))
      (local.set $phi.u2# (f32x4.mul (local.get $phi.u#) (local.get $phi.u#)))
      ;; R = [(c0 + c1u) + u²(c2 + c3u)] + u⁴[(c4 + c5u) + u²(c6 + c7u)]
      (local.set $phi.r# (f32x4.relaxed_madd (local.get $phi.u2#)
        (f32x4.relaxed_madd (local.get $phi.u#)
          (v128.const f32x4 -1.3794450461864471e-1 -1.3794450461864471e-1 -1.3794450461864471e-1
            -1.3794450461864471e-1)
          (v128.const f32x4 1.3989337719976902e-2 1.3989337719976902e-2 1.3989337719976902e-2
            1.3989337719976902e-2))
        (f32x4.relaxed_madd (local.get $phi.u#)
          (v128.const f32x4 1.2831266224384308e-1 1.2831266224384308e-1 1.2831266224384308e-1
            1.2831266224384308e-1)
          (v128.const f32x4 -6.465835869312286e-2 -6.465835869312286e-2 -6.465835869312286e-2
            -6.465835869312286e-2))))
      (local.set $phi.r# (f32x4.relaxed_madd (f32x4.mul (local.get $phi.u2#) (local.get $phi.u2#))
        (local.get $phi.r#)
        (f32x4.relaxed_madd (local.get $phi.u2#)
          (f32x4.relaxed_madd (local.get $phi.u#)
            (v128.const f32x4 -1.3360948860645294e-1 -1.3360948860645294e-1 -1.3360948860645294e-1
              -1.3360948860645294e-1)
            (v128.const f32x4 1.0027839988470078e-1 1.0027839988470078e-1 1.0027839988470078e-1
              1.0027839988470078e-1))
          (f32x4.relaxed_madd (local.get $phi.u#)
            (v128.const f32x4 3.155514895915985e-1 3.155514895915985e-1 3.155514895915985e-1
              3.155514895915985e-1)
            (v128.const f32x4 3.0378487706184387e-1 3.0378487706184387e-1 3.0378487706184387e-1
              3.0378487706184387e-1)))))
      (local.set $q# (f32x4.mul (f32x4.mul (local.get $phi.r#) (local.get $phi.t#)) (local.get $e#)))))

  ;; Φ(x) from the pieces: 1/2 + m for |x| < 1.25; else q for x < 0, 1 − q for x >= 0 (and NaN).
  (@macro phi-select ($x $m $q $p)
    (@lanes 4 (local.set $p# (v128.bitselect (f32x4.add (local.get $m#) (v128.const f32x4 0.5 0.5 0.5 0.5))
      (v128.bitselect (local.get $q#) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $q#))
        (f32x4.lt (local.get $x#) (v128.const f32x4 0 0 0 0)))
      (f32x4.lt (local.get $phi.ax#) (v128.const f32x4 1.25 1.25 1.25 1.25))))))

  ;; p = Φ(x); the tail piece only when a lane needs it.
  (@macro phi ($x $p)
    (@phi-abs $x)
    (@phi-mid $x $phi.m)
    (if (@phi-some-tail)
      (then (@phi-gauss $phi.e) (@phi-ratio $phi.e $phi.q) (@phi-select $x $phi.m $phi.q $p))
      (else (@lanes 4 (local.set $p# (f32x4.add (local.get $phi.m#) (v128.const f32x4 0.5 0.5 0.5 0.5)))))))

  ;; f = 1/2 + x·D(x²) = Φ(x) + x·φ(x), GELU's derivative, for |x| < 1.25: D a degree-6 minimax fit
  ;; (relative 2e-9).
  (@macro gelu-grad-mid ($x $f)
    (@lanes 4
      (local.set $phi.w# (f32x4.mul (local.get $x#) (local.get $x#)))
      (local.set $phi.w2# (f32x4.mul (local.get $phi.w#) (local.get $phi.w#)))
      ;; D = (d0 + d1w) + w²·((d2 + d3w) + w²·((d4 + d5w) + w²·d6))
      (local.set $f# (f32x4.relaxed_madd (local.get $phi.w2#)
        (f32x4.relaxed_madd (local.get $phi.w2#)
          (v128.const f32x4 6.330200449156109e-6 6.330200449156109e-6 6.330200449156109e-6
            6.330200449156109e-6)
          (f32x4.relaxed_madd (local.get $phi.w#)
            (v128.const f32x4 -1.0724226012825966e-4 -1.0724226012825966e-4 -1.0724226012825966e-4
              -1.0724226012825966e-4)
            (v128.const f32x4 1.1479503009468317e-3 1.1479503009468317e-3 1.1479503009468317e-3
              1.1479503009468317e-3)))
        (f32x4.relaxed_madd (local.get $phi.w#)
          (v128.const f32x4 -9.495111182332039e-3 -9.495111182332039e-3 -9.495111182332039e-3
            -9.495111182332039e-3)
          (v128.const f32x4 5.984041094779968e-2 5.984041094779968e-2 5.984041094779968e-2
            5.984041094779968e-2))))
      (local.set $f# (f32x4.relaxed_madd (local.get $x#) (f32x4.relaxed_madd (local.get $phi.w2#) (local.get $f#)
        (f32x4.relaxed_madd (local.get $phi.w#)
          (v128.const f32x4 -2.659614384174347e-1 -2.659614384174347e-1 -2.659614384174347e-1
            -2.659614384174347e-1)
          (v128.const f32x4 7.978845834732056e-1 7.978845834732056e-1 7.978845834732056e-1
            7.978845834732056e-1)))
        (v128.const f32x4 0.5 0.5 0.5 0.5)))))

  ;; f = Φ(x) + x·φ(x): gelu-grad-mid for |x| < 1.25, else Φ from the tail piece and
  ;; φ = e^(−x²/2)/√(2π) (computed only when a lane needs it; each lane's result depends on its x only).
  (@macro gelu-grad ($x $f)
    (@phi-abs $x)
    (@gelu-grad-mid $x $f)
    (if (@phi-some-tail)
      (then
        (@phi-gauss $phi.e)
        (@phi-ratio $phi.e $phi.q)
        (@lanes 4 (local.set $f# (v128.bitselect (local.get $f#)
          (f32x4.relaxed_madd (f32x4.mul (local.get $x#) (local.get $phi.e#))
            (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327)
            (v128.bitselect (local.get $phi.q#) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $phi.q#))
              (f32x4.lt (local.get $x#) (v128.const f32x4 0 0 0 0))))
          (f32x4.lt (local.get $phi.ax#) (v128.const f32x4 1.25 1.25 1.25 1.25))))))))

  ;; y = erf(z) = 2·Φ(x) − 1, x = z·√2 (in $t): z·2√2·S(x²) near 0 (relative precision),
  ;; sign(z)·(1 − 2·Φ(−|x|)) beyond.
  (@macro erf ($z $y $t)
    (@lanes 4 (local.set $t# (f32x4.mul (local.get $z#)
      (v128.const f32x4 1.4142135623730951 1.4142135623730951 1.4142135623730951 1.4142135623730951))))
    (@phi-abs $t)
    (@phi-mid $t $phi.m)
    (if (@phi-some-tail)
      (then
        (@phi-gauss $phi.e)
        (@phi-ratio $phi.e $phi.q)
        (@lanes 4 (local.set $y# (v128.bitselect (f32x4.mul (local.get $z#) (f32x4.mul (local.get $phi.s#)
          (v128.const f32x4 2.8284271247461903 2.8284271247461903 2.8284271247461903 2.8284271247461903)))
          (v128.or (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.add (local.get $phi.q#) (local.get $phi.q#)))
            (v128.and (local.get $z#) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
          (f32x4.lt (local.get $phi.ax#) (v128.const f32x4 1.25 1.25 1.25 1.25))))))
      (else (@lanes 4 (local.set $y# (f32x4.mul (local.get $z#) (f32x4.mul (local.get $phi.s#)
        (v128.const f32x4 2.8284271247461903 2.8284271247461903 2.8284271247461903 2.8284271247461903))))))))
