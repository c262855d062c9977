require('dotenv').config();

const express = require('express');
const { PrismaClient } = require('@prisma/client');

const prisma = new PrismaClient();
const app = express();

app.get('/api/health', (_req, res) => {
  res.json({ status: 'ok', pid: process.pid });
});

app.get('/api/reports/assets-by-location', async (_req, res, next) => {
  try {
    const rows = await prisma.asset.groupBy({ by: ['location'], _count: { _all: true }, orderBy: { location: 'asc' } });
    res.json(rows.map((r) => ({ location: r.location, count: r._count._all })));
  } catch (err) {
    next(err);
  }
});

app.get('/api/reports/warranty-expiring', async (req, res, next) => {
  const days = Math.min(Number(req.query.days) || 30, 365);
  try {
    const until = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
    res.json(await prisma.asset.findMany({ where: { warrantyEnds: { lte: until } }, orderBy: { warrantyEnds: 'asc' } }));
  } catch (err) {
    next(err);
  }
});

app.listen(process.env.PORT || 4300, () => {
  console.log(`asset-reports worker ${process.pid} started`);
});
