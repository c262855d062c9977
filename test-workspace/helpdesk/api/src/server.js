require('dotenv').config();

const express = require('express');
const cors = require('cors');
const session = require('express-session');

const app = express();

app.use(express.json());
app.use(
  cors({
    origin: process.env.CORS_ORIGIN,
    credentials: true,
  }),
);
app.use(
  session({
    name: 'helpdesk.sid',
    secret: process.env.SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 8 * 60 * 60 * 1000 },
  }),
);

const tickets = [];

function requireUser(req, res, next) {
  if (!req.session.user) {
    return res.status(401).json({ error: 'Not signed in' });
  }
  next();
}

app.post('/api/login', (req, res) => {
  const { email } = req.body;
  if (!email) {
    return res.status(400).json({ error: 'Email required' });
  }
  req.session.user = { email };
  res.json({ email });
});

app.get('/api/tickets', requireUser, (req, res) => {
  res.json(tickets.filter((t) => t.owner === req.session.user.email));
});

app.post('/api/tickets', requireUser, (req, res) => {
  const ticket = { id: tickets.length + 1, owner: req.session.user.email, title: String(req.body.title ?? ''), status: 'open' };
  tickets.push(ticket);
  res.status(201).json(ticket);
});

app.listen(process.env.PORT || 4000, () => {
  console.log(`helpdesk-api listening on ${process.env.PORT || 4000}`);
});
