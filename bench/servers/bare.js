const createApp = require('./app');

createApp.listen(createApp());
