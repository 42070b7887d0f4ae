# Listed so that Django finds django-simple-captcha's captcha_clean command;
# it is imported from captcha.management.commands.
