// PM2 process file: pm2 start ecosystem.config.js
module.exports = {
  apps: [
    {
      name: 'it-assets-manager',
      script: 'node_modules/next/dist/bin/next',
      args: 'start',
      cwd: __dirname,
      instances: 1, // one instance: sessions live in the cookie, but keep a single process until Redis is in place
      exec_mode: 'fork',
      autorestart: true,
      watch: false,
      max_memory_restart: '1G',
      env: {
        NODE_ENV: 'production',
      },
      error_file: './logs/pm2-error.log',
      out_file: './logs/pm2-out.log',
      time: true,
    },
  ],
};
