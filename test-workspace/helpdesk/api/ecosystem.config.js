// PM2 process file for the office server: pm2 startOrReload ecosystem.config.js
module.exports = {
  apps: [
    {
      name: 'helpdesk-api',
      script: 'src/server.js',
      instances: 'max', // the API was slow at 9am: one process per core
      exec_mode: 'cluster',
      env: {
        NODE_ENV: 'production',
      },
      max_memory_restart: '512M',
    },
  ],
};
