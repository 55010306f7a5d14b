#!/bin/sh
# The RLHF demo, stage by stage (apps/rlhf/README.md explains each). Run from the repository root
# after `npx pnpm@12.4.2 install && npx pnpm@12.4.2 exec turbo run build --filter=@proj/rlhf-demo... --filter=proj-cli...`.
# Each stage is one command; they write into runs/rlhf/ and the report into apps/rlhf/results/.
set -e
proj() { node apps/cli/dist/main.js "$@"; }
demo() { node apps/rlhf/dist/main.js "$@"; }
R=runs/rlhf
AFINN=apps/rlhf/dist/afinn-reward.js

# 1. pretrain a GPT on the State of the Union addresses, BPE tokens (val loss and time in its metrics.json)
proj train --data sotu --tokenizer bpe:2048 --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 \
  --batch-size 16 --max-iters 3000 --lr-decay-iters 3000 --eval-interval 250 --eval-iters 20 \
  --sample-tokens 60 --out $R/base
# 2. prompts: the opening 6 words of held-out sentences (SOTU's validation split)
demo prompts --runs $R
# 3. preference pairs: two continuations per prompt from the base (temperature 0.8), the higher AFINN score chosen, ties dropped
demo pairs --runs $R
# 4. a reward model on the pairs (its held-out accuracy is in the report)
proj reward-model --from $R/base --data $R/pairs.jsonl --val-data $R/val-pairs.jsonl --out $R/rm \
  --batch-size 16 --max-iters 300 --lr 3e-4 --min-lr 3e-5 --lr-decay-iters 300 --eval-interval 100
# 5. DPO on the same pairs, against a frozen copy of the base
proj dpo --from $R/base --data $R/pairs.jsonl --val-data $R/val-pairs.jsonl --out $R/dpo \
  --batch-size 16 --max-iters 300 --lr 1e-4 --min-lr 1e-5 --lr-decay-iters 300 --eval-interval 100
# 6. PPO, the lexicon as the reward: TRL's adaptive KL control (from 0.2 towards 6 nats, horizon 10000),
#    then a fixed β of 1
RL="--prompts $R/prompts.jsonl --val-prompts $R/eval-prompts.jsonl --reward $AFINN --temperature 0.8 --max-iters 150 --lr 1e-4 --eval-interval 25"
proj ppo --from $R/base $RL --batch-size 32 --mini-batch-size 8 --out $R/ppo
proj ppo --from $R/base $RL --batch-size 32 --mini-batch-size 8 --no-adap-kl-ctrl --init-kl-coef 1 --out $R/ppo-fixed-kl
# 7. GRPO, 8 completions per prompt, with a k3 penalty of β 0.04 (DeepSeekMath's), then 0.5
proj grpo --from $R/base $RL --batch-size 8 --num-generations 8 --mini-batch-size 16 --eval-iters 8 --beta 0.04 --out $R/grpo
proj grpo --from $R/base $RL --batch-size 8 --num-generations 8 --mini-batch-size 16 --eval-iters 8 --beta 0.5 --out $R/grpo-kl
# 8. the report: best-of-16 and every policy on the evaluation prompts, the reward-vs-KL chart
demo report --runs $R
