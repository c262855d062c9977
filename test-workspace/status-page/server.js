require('dotenv').config();

const express = require('express');
const session = require('express-session');
const { PrismaClient } = require('@prisma/client');

const prisma = new PrismaClient();
const app = express();

app.use(express.json());
app.use(
  session({
    name: 'status_page.sid',
    secret: process.env.SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: process.env.NODE_ENV === 'production' },
  }),
);

app.get('/api/health', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/api/services', async (_req, res, next) => {
  try {
    const services = await prisma.service.findMany({
      orderBy: { name: 'asc' },
      include: { incidents: { where: { resolvedAt: null } } },
    });
    res.json(services);
  } catch (err) {
    next(err);
  }
});

app.post('/api/incidents', async (req, res, next) => {
  if (!req.session.isAdmin) {
    return res.status(401).json({ error: 'Unauthorized' });
  }
  try {
    const { serviceId, title, severity } = req.body;
    const incident = await prisma.incident.create({ data: { serviceId, title, severity } });
    res.status(201).json(incident);
  } catch (err) {
    next(err);
  }
});

app.listen(process.env.PORT || 4100, () => {
  console.log('status-page API started');
});
