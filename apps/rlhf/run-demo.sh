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
# 2. prompts: the opening 8 tokens of held-out sentences (SOTU's validation split)
demo prompts --runs $R
# 3. preference pairs: two continuations per prompt from the base, the higher AFINN score chosen, ties dropped
demo pairs --runs $R
# 4. a reward model on the pairs (its held-out accuracy is in the report)
proj reward-model --from $R/base --data $R/pairs.jsonl --val-data $R/val-pairs.jsonl --out $R/rm \
  --batch-size 16 --max-iters 300 --lr 3e-4 --min-lr 3e-5 --lr-decay-iters 300 --eval-interval 100
# 5. DPO on the same pairs, against a frozen copy of the base
proj dpo --from $R/base --data $R/pairs.jsonl --val-data $R/val-pairs.jsonl --out $R/dpo \
  --batch-size 16 --max-iters 300 --lr 1e-4 --min-lr 1e-5 --lr-decay-iters 300 --eval-interval 100
# 6. PPO with an adaptive KL penalty, the lexicon as the reward
proj ppo --from $R/base --prompts $R/prompts.jsonl --val-prompts $R/eval-prompts.jsonl --reward $AFINN \
  --out $R/ppo --batch-size 32 --mini-batch-size 8 --max-iters 150 --lr 1e-4 --eval-interval 25
# 7. GRPO, 8 completions per prompt, a small k3 penalty so that the KL is tracked
proj grpo --from $R/base --prompts $R/prompts.jsonl --val-prompts $R/eval-prompts.jsonl --reward $AFINN \
  --out $R/grpo --batch-size 8 --num-generations 8 --mini-batch-size 16 --beta 0.04 --max-iters 150 \
  --lr 1e-4 --eval-interval 25 --eval-iters 8
# 8. the report: best-of-16 and every policy on the evaluation prompts, the reward-vs-KL chart
demo report --runs $R
