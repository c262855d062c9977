// PM2 process file: pm2 start ecosystem.config.js --env production
module.exports = {
  apps: [
    {
      name: 'asset-reports',
      script: 'server.js',
      cwd: __dirname,
      instances: 'max', // one worker per CPU core: the reports are CPU-heavy and the API is stateless
      exec_mode: 'cluster',
      autorestart: true,
      max_memory_restart: '512M',
      env_production: {
        NODE_ENV: 'production',
      },
    },
  ],
};
