  ;; A batched float32 product as a job of tasks that threads claim one at a time (see matmul.wat for
  ;; the blocked product itself, src/backend/wasm/matmul-job.ts for the caller's side).
  ;;
  ;; Tasks come in order: first `packs` tasks that each pack a group of 8-column B slivers of one KC
  ;; slice of one matrix (only when matrices are split by rows, so each B is packed once for every
  ;; row block, in the panels $gemm would pack for itself), then product tasks, each some rows of some
  ;; consecutive matrices as its span in a table says (the caller sizes them, largest first). A
  ;; thread claims the next task with a compare-and-swap on the job counter, waits until the caller
  ;; has copied that task's inputs in (and, for a product, until every B is packed), runs it and marks
  ;; it done. The caller copies each finished task's rows out while the others still run.
  ;;
  ;; Job words, each on its own cache line at $JOB: +0 counter (generation << 16 | next task; 0 when
  ;; no job is open, so a thread that wakes late claims nothing), +64 tasks whose inputs are in place,
  ;; +128 tasks done, +192 pack tasks done.
  ;;
  ;; Descriptor (i32 words at desc): 0 A base, 1 B base, 2 C base (bytes); 3 batch, 4 m, 5 n, 6 k;
  ;; 7 A offsets, 8 B offsets (byte addresses of i32 element offsets per batch); 9 A row, 10 A col,
  ;; 11 B row, 12 B col strides (elements); 13 scratch base, 14 scratch bytes per thread; 15 product
  ;; spans (byte address of 6 i32 per product task: first and end matrix, row and column); 16 pack
  ;; tasks; 17 slivers per pack task (pack tasks per KC slice: groups of that many slivers); 18
  ;; packed B base (0: none); 19 tasks; 20 threads (thread ids below it); 21 done flags (one i32 per
  ;; task: the thread id + 1).

  (global $JOB i32 (i32.const 1536))

  ;; Byte address of the job words.
  (func (export "matmul_job_byte") (result i32) (global.get $JOB))

  ;; Rows of B in one KC slice (pack tasks pack one slice each).
  (func (export "matmul_kc") (result i32) (global.get $KC))

  ;; Claims the next task of the job of generation `gen` with `total` tasks if its index is below
  ;; `limit`: returns the index, -1 when every task is taken or that job is closed, -2 when the next
  ;; task is at or past `limit`.
  (func $mm_claim (param $gen i32) (param $total i32) (param $limit i32) (result i32)
    (local $v i32) (local $w i32) (local $next i32)
    (local.set $v (i32.atomic.load (global.get $JOB)))
    (loop $retry
      (local.set $next (i32.and (local.get $v) (i32.const 0xffff)))
      (if (i32.or (i32.ne (i32.shr_u (local.get $v) (i32.const 16)) (local.get $gen))
            (i32.ge_u (local.get $next) (local.get $total)))
        (then (return (i32.const -1))))
      (if (i32.ge_u (local.get $next) (local.get $limit)) (then (return (i32.const -2))))
      (local.set $w (i32.atomic.rmw.cmpxchg (global.get $JOB) (local.get $v)
        (i32.add (local.get $v) (i32.const 1))))
      (if (i32.ne (local.get $w) (local.get $v))
        (then (local.set $v (local.get $w)) (br $retry))))
    (local.get $next))

  ;; Pack task p: slivers [s0, s0 + group) of KC slice `slice` of matrix bi, where p counts slices
  ;; of sliver groups of matrices (see $gemm for the packed layout).
  (func $mm_pack (param $desc i32) (param $p i32)
    (local $n i32) (local $k i32) (local $slivers i32) (local $group i32) (local $groups i32)
    (local $slices i32) (local $bi i32) (local $pc i32) (local $kc i32) (local $s0 i32) (local $cols i32)
    (local.set $n (i32.load offset=20 (local.get $desc)))
    (local.set $k (i32.load offset=24 (local.get $desc)))
    (local.set $slivers (i32.shr_u (i32.add (local.get $n) (i32.const 7)) (i32.const 3)))
    (local.set $group (i32.load offset=68 (local.get $desc)))
    (local.set $groups (i32.div_u (i32.sub (i32.add (local.get $slivers) (local.get $group)) (i32.const 1))
      (local.get $group)))
    (local.set $slices (i32.div_u (i32.sub (i32.add (local.get $k) (global.get $KC)) (i32.const 1))
      (global.get $KC)))
    (local.set $s0 (i32.mul (i32.rem_u (local.get $p) (local.get $groups)) (local.get $group)))
    (local.set $p (i32.div_u (local.get $p) (local.get $groups)))
    (local.set $pc (i32.mul (i32.rem_u (local.get $p) (local.get $slices)) (global.get $KC)))
    (local.set $bi (i32.div_u (local.get $p) (local.get $slices)))
    (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
    (if (i32.gt_s (local.get $kc) (global.get $KC)) (then (local.set $kc (global.get $KC))))
    (local.set $cols (i32.sub (local.get $n) (i32.shl (local.get $s0) (i32.const 3))))
    (if (i32.gt_s (local.get $cols) (i32.shl (local.get $group) (i32.const 3)))
      (then (local.set $cols (i32.shl (local.get $group) (i32.const 3)))))
    (call $pack_b
      (i32.add (i32.add (i32.load offset=4 (local.get $desc))
        (i32.shl (i32.load (i32.add (i32.load offset=32 (local.get $desc)) (i32.shl (local.get $bi) (i32.const 2))))
          (i32.const 2)))
        (i32.shl (i32.add (i32.mul (local.get $pc) (i32.load offset=44 (local.get $desc)))
          (i32.mul (i32.shl (local.get $s0) (i32.const 3)) (i32.load offset=48 (local.get $desc)))) (i32.const 2)))
      (i32.shl (i32.load offset=44 (local.get $desc)) (i32.const 2))
      (i32.shl (i32.load offset=48 (local.get $desc)) (i32.const 2))
      (local.get $kc) (local.get $cols)
      (i32.add (i32.add (i32.load offset=72 (local.get $desc))
        (i32.shl (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $k)) (local.get $pc))
          (i32.shl (local.get $slivers) (i32.const 3))) (i32.const 2)))
        (i32.mul (local.get $s0) (i32.shl (local.get $kc) (i32.const 5))))))

  ;; Product task q: rows [i0, i1) and columns [j0, j1) of matrices [b0, b1), from the task's span in
  ;; the table (columns are split only without pre-packed B).
  (func $mm_product (param $desc i32) (param $q i32) (param $scratch i32)
    (local $m i32) (local $n i32) (local $k i32) (local $span i32) (local $bi i32) (local $b1 i32)
    (local $i0 i32) (local $ars i32) (local $bpk i32) (local $bsize i32) (local $j0 i32)
    (local.set $m (i32.load offset=16 (local.get $desc)))
    (local.set $n (i32.load offset=20 (local.get $desc)))
    (local.set $k (i32.load offset=24 (local.get $desc)))
    (local.set $ars (i32.shl (i32.load offset=36 (local.get $desc)) (i32.const 2)))
    (local.set $span (i32.add (i32.load offset=60 (local.get $desc)) (i32.mul (local.get $q) (i32.const 24))))
    (local.set $bi (i32.load (local.get $span)))
    (local.set $b1 (i32.load offset=4 (local.get $span)))
    (local.set $i0 (i32.load offset=8 (local.get $span)))
    (local.set $j0 (i32.load offset=16 (local.get $span)))
    (local.set $bsize (i32.shl (i32.mul (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8))
      (local.get $k)) (i32.const 2)))
    (loop $next
      (local.set $bpk (i32.load offset=72 (local.get $desc)))
      (if (local.get $bpk)
        (then (local.set $bpk (i32.add (local.get $bpk) (i32.mul (local.get $bi) (local.get $bsize))))))
      (call $gemm
        (i32.add (i32.add (i32.load (local.get $desc))
          (i32.shl (i32.load (i32.add (i32.load offset=28 (local.get $desc)) (i32.shl (local.get $bi) (i32.const 2))))
            (i32.const 2)))
          (i32.mul (local.get $i0) (local.get $ars)))
        (i32.add (i32.load offset=4 (local.get $desc))
          (i32.shl (i32.add
            (i32.load (i32.add (i32.load offset=32 (local.get $desc)) (i32.shl (local.get $bi) (i32.const 2))))
            (i32.mul (local.get $j0) (i32.load offset=48 (local.get $desc))))
            (i32.const 2)))
        (i32.add (i32.load offset=8 (local.get $desc))
          (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $m)) (local.get $i0)) (local.get $n))
            (local.get $j0)) (i32.const 2)))
        (i32.sub (i32.load offset=12 (local.get $span)) (local.get $i0))
        (i32.sub (i32.load offset=20 (local.get $span)) (local.get $j0)) (local.get $k)
        (local.get $ars) (i32.shl (i32.load offset=40 (local.get $desc)) (i32.const 2))
        (i32.shl (i32.load offset=44 (local.get $desc)) (i32.const 2))
        (i32.shl (i32.load offset=48 (local.get $desc)) (i32.const 2))
        (i32.shl (local.get $n) (i32.const 2)) (local.get $bpk)
        (local.get $scratch)
        (i32.add (local.get $scratch) (i32.shl (i32.mul (global.get $MC) (global.get $KC)) (i32.const 2)))
        (i32.add (local.get $scratch) (i32.shl (i32.add (i32.mul (global.get $MC) (global.get $KC))
          (i32.mul (global.get $KC) (global.get $NC))) (i32.const 2))))
      (br_if $next (i32.lt_s (local.tee $bi (i32.add (local.get $bi) (i32.const 1))) (local.get $b1)))))

  ;; Waits until the job word at $JOB + offset exceeds `after`: polls, then (workers only; a
  ;; browser's main thread may not block) sleeps in naps of up to 0.1 ms, so a worker waiting on a
  ;; thread the OS has descheduled gives its core back; whoever advances the word notifies it.
  (func $mm_await (param $offset i32) (param $after i32) (param $tid i32)
    (local $spin i32) (local $v i32)
    (loop $poll
      (local.set $v (i32.atomic.load (i32.add (global.get $JOB) (local.get $offset))))
      (if (i32.le_u (local.get $v) (local.get $after))
        (then
          (local.set $spin (i32.add (local.get $spin) (i32.const 1)))
          (if (i32.and (i32.gt_u (local.get $spin) (i32.const 20000)) (i32.ne (local.get $tid) (i32.const 0)))
            (then (drop (memory.atomic.wait32 (i32.add (global.get $JOB) (local.get $offset)) (local.get $v)
              (i64.const 100000)))))
          (br $poll)))))

  ;; Runs claimed task t on thread tid once its inputs are in place, then marks it done.
  (func $mm_task (param $desc i32) (param $t i32) (param $tid i32)
    (local $packs i32)
    (call $mm_await (i32.const 64) (local.get $t) (local.get $tid))
    (local.set $packs (i32.load offset=64 (local.get $desc)))
    (if (i32.lt_u (local.get $t) (local.get $packs))
      (then
        (call $mm_pack (local.get $desc) (local.get $t))
        (drop (i32.atomic.rmw.add offset=192 (global.get $JOB) (i32.const 1)))
        (drop (memory.atomic.notify offset=192 (global.get $JOB) (i32.const -1))))
      (else
        (if (local.get $packs)
          (then (call $mm_await (i32.const 192) (i32.sub (local.get $packs) (i32.const 1)) (local.get $tid))))
        (call $mm_product (local.get $desc) (i32.sub (local.get $t) (local.get $packs))
          (i32.add (i32.load offset=52 (local.get $desc))
            (i32.mul (local.get $tid) (i32.load offset=56 (local.get $desc)))))))
    (i32.atomic.store (i32.add (i32.load offset=84 (local.get $desc)) (i32.shl (local.get $t) (i32.const 2)))
      (i32.add (local.get $tid) (i32.const 1)))
    (drop (i32.atomic.rmw.add offset=128 (global.get $JOB) (i32.const 1)))
    (drop (memory.atomic.notify offset=128 (global.get $JOB) (i32.const 1))))

  ;; Thread tid's part of the open job at desc: claims and runs tasks until none is left. Workers run
  ;; this; so does the caller when it works alone. `nt` is unused (the descriptor caps thread ids).
  (func (export "matmul_f32") (param $desc i32) (param $tid i32) (param $nt i32)
    (local $gen i32) (local $t i32)
    (local.set $gen (i32.shr_u (i32.atomic.load (global.get $JOB)) (i32.const 16)))
    ;; Descriptor words read before a claim succeeds may belong to a later call; they only decide
    ;; whether to try, and a claim succeeds only while this generation's job is open.
    (if (i32.or (i32.eqz (local.get $gen)) (i32.ge_u (local.get $tid) (i32.load offset=80 (local.get $desc))))
      (then (return)))
    (loop $next
      (local.set $t (call $mm_claim (local.get $gen) (i32.load offset=76 (local.get $desc))
        (i32.load offset=76 (local.get $desc))))
      (if (i32.ge_s (local.get $t) (i32.const 0))
        (then
          (call $mm_task (local.get $desc) (local.get $t) (local.get $tid))
          (br $next)))))

  ;; The caller's step: claims and runs one task of the open job as thread 0; returns its index, -1
  ;; when every task is taken, or -2 when the next task would have to wait for pack tasks that other
  ;; threads still run (the caller then waits outside, where it can sleep).
  (func (export "matmul_f32_task") (param $desc i32) (result i32)
    (local $v i32) (local $t i32) (local $limit i32)
    (local.set $v (i32.atomic.load (global.get $JOB)))
    (if (i32.eqz (local.get $v)) (then (return (i32.const -1))))
    (local.set $limit (i32.load offset=76 (local.get $desc)))
    (if (i32.lt_u (i32.atomic.load offset=192 (global.get $JOB)) (i32.load offset=64 (local.get $desc)))
      (then (local.set $limit (i32.load offset=64 (local.get $desc)))))
    (local.set $t (call $mm_claim (i32.shr_u (local.get $v) (i32.const 16)) (i32.load offset=76 (local.get $desc))
      (local.get $limit)))
    (if (i32.ge_s (local.get $t) (i32.const 0))
      (then (call $mm_task (local.get $desc) (local.get $t) (i32.const 0))))
    (local.get $t))
