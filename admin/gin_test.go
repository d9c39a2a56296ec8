package admin_test

import "github.com/gin-gonic/gin"

// The program sets gin's release mode in main; the library never touches
// that global, so its tests set it to keep gin's route listing out of
// their output.
func init() { gin.SetMode(gin.ReleaseMode) }
