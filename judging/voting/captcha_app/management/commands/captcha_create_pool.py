# Listed so that Django finds django-simple-captcha's captcha_create_pool command;
# it is imported from captcha.management.commands.
