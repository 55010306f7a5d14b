#!/usr/bin/env node
import { enableThreads } from '@proj/tensor/node';
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), process, (threads) => enableThreads(threads));
