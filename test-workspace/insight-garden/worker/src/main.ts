import 'dotenv/config';
import { Worker } from 'bullmq';
import { prisma } from './lib/prisma';

const CHUNK_SIZE = 1200;

const connection = {
  host: process.env.REDIS_HOST ?? 'localhost',
  port: Number(process.env.REDIS_PORT ?? 6379),
};

function split(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK_SIZE) out.push(text.slice(i, i + CHUNK_SIZE));
  return out;
}

const worker = new Worker<{ documentId: string; content: string }>(
  'document-ingest',
  async (job) => {
    const ingest = await prisma.ingestJob.create({ data: { documentId: job.data.documentId, status: 'running' } });
    const chunks = split(job.data.content);
    await prisma.chunk.createMany({
      data: chunks.map((content, position) => ({ jobId: ingest.id, documentId: job.data.documentId, position, content })),
    });
    await prisma.ingestJob.update({ where: { id: ingest.id }, data: { status: 'done' } });
    return { chunks: chunks.length };
  },
  { connection, concurrency: 4 },
);

worker.on('failed', (job, err) => {
  console.error(`ingest ${job?.id} failed: ${err.message}`);
});
