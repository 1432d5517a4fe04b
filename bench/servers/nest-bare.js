require('./nest-app')();
